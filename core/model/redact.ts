// The one gate secrets pass before reaching a log, status, error or event (STYLE.md practice 6):
// PEM and OpenSSH private key blocks, and the values of settings named as secrets.

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
// `password=x`, `auth_token: x`, `client-secret="x"`: the secret word ends the name, after the
// start or a separator, so `NOPASSWD:ALL` (a sudoers rule, not a secret) is left alone.
const SECRET_SETTING =
  /\b((?:[\w.-]*[_.-])?(?:password|passwd|token|secret|private[_-]?key))(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi;

export function redact(text: string): string {
  return text
    .replace(PRIVATE_KEY_BLOCK, '[private key redacted]')
    .replace(SECRET_SETTING, (_m, key: string, sep: string) => `${key}${sep}[redacted]`);
}

/** Whether redact() would hide part of `name=value`: a setting that must never be exported. */
export function isSecretSetting(name: string, value: string): boolean {
  const text = `${name}=${value}`;
  return redact(text) !== text;
}
