/** A word for a POSIX shell: as it is when plain, else in single quotes, so `$`, backticks and spaces pass as written. */
export const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
