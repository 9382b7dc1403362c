// The one gate secrets pass before reaching a log, status, error or event (STYLE.md practice 6):
// PEM and OpenSSH private key blocks, and values of keys that name secrets.

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const SECRET_ASSIGNMENT =
  /\b([\w.-]*(?:password|passwd|token|secret|private[_-]?key)[\w.-]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi;

export function redact(text: string): string {
  return text
    .replace(PRIVATE_KEY_BLOCK, '[private key redacted]')
    .replace(SECRET_ASSIGNMENT, (_m, key: string, sep: string) => `${key}${sep}[redacted]`);
}
