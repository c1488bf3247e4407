/**
 * The XML the EC2 and STS Query protocols answer with. Replies are built from plain values so the
 * action handlers read like the AWS shapes they produce: a key becomes an element, an array becomes
 * `<item>` children (EC2) or `<member>` children (STS), `undefined` is left out.
 */
export type XmlValue = string | number | boolean | undefined | XmlValue[] | XmlObject;
export interface XmlObject {
  [element: string]: XmlValue;
}

export const ec2Namespace = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const stsNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(name: string, value: XmlValue, listItem: string): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) {
    return `<${name}>${value.map((v) => render(listItem, v, listItem)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value)
      .map(([child, v]) => render(child, v, listItem))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<Action>Response xmlns=…>` with the EC2 `requestId` first, as EC2 sends it. */
export function ec2Reply(action: string, requestId: string, body: XmlObject): string {
  const children = render('x', { requestId, ...body }, 'item').slice(3, -4);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ec2Namespace}">${children}</${action}Response>`;
}

export function ec2Error(requestId: string, code: string, message: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
  );
}

/** The awsQuery shape STS uses: `<Action>Response><Action>Result>…</…><ResponseMetadata>`. */
export function stsReply(action: string, requestId: string, result: XmlObject): string {
  const inner = render(`${action}Result`, result, 'member');
  return (
    `<${action}Response xmlns="${stsNamespace}">${inner}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function stsError(
  requestId: string,
  code: string,
  message: string,
  sender: boolean,
): string {
  return (
    `<ErrorResponse xmlns="${stsNamespace}"><Error><Type>${sender ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
