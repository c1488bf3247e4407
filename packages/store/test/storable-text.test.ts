import { storableText } from '../src/storable-text';

test('NUL and unpaired surrogates are written as their escapes; everything else is kept', () => {
  expect(storableText('a\u0000b')).toBe('a\\u0000b');
  expect(storableText('x\uD800y\uDC00z')).toBe('x\\ud800y\\udc00z');
  expect(storableText('tab\there, \u0001, ümlaut, 😀')).toBe('tab\there, \u0001, ümlaut, 😀');
});
