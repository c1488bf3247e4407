// Real clouds: a 256 MiB copy through the sandbox takes seconds, fault and token-expiry tests longer.
jest.setTimeout(180_000);
