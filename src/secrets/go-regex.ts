// Go (RE2) regex syntax → JavaScript, for the rules carried from gitleaks. Pure.
//
// Node 20's RegExp has no inline flag groups, so case-insensitivity is spelled out: inside a `(?i)` scope
// every ASCII letter becomes a two-case class and every letter range gains its other case. A `(?i)` in the
// middle of a group applies to the rest of that group, as in Go; `(?i:…)` and `(?-i:…)` to their own group.
// `(?P<name>` becomes `(?<name>`. Anything else unknown to the translation throws, so a new construct in
// a carried rule fails its test instead of silently matching something else.

const LETTER = /[A-Za-z]/;

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

/** Returns JavaScript regex source equivalent to the Go pattern (no flags needed). */
export function goRegexToJs(go: string): string {
  let out = "";
  // One entry per open group: whether case is ignored inside it right now.
  const stack: boolean[] = [];
  let fold = false;
  let i = 0;
  while (i < go.length) {
    const c = go[i]!;
    if (c === "\\") {
      const next = go[i + 1];
      if (next === undefined) throw new Error("trailing backslash");
      if (next === "z") {
        out += "(?![\\s\\S])";
        i += 2;
        continue;
      }
      if (next === "A") {
        out += "^";
        i += 2;
        continue;
      }
      if (next === "Q") throw new Error("\\Q…\\E is not supported");
      if (next === "x") {
        out += go.slice(i, i + 4);
        i += 4;
        continue;
      }
      out += c + next;
      i += 2;
      continue;
    }
    if (c === "[") {
      const end = classEnd(go, i);
      out += fold ? foldClass(go.slice(i, end + 1)) : go.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === "(") {
      if (go.startsWith("(?i)", i)) {
        fold = true;
        i += 4;
        continue;
      }
      if (go.startsWith("(?-i)", i)) {
        fold = false;
        i += 5;
        continue;
      }
      stack.push(fold);
      if (go.startsWith("(?i:", i)) {
        fold = true;
        out += "(?:";
        i += 4;
      } else if (go.startsWith("(?-i:", i)) {
        fold = false;
        out += "(?:";
        i += 5;
      } else if (go.startsWith("(?P<", i)) {
        out += "(?<";
        i += 4;
      } else if (go.startsWith("(?:", i)) {
        out += "(?:";
        i += 3;
      } else if (go[i + 1] === "?") {
        throw new Error(`unsupported group ${go.slice(i, i + 5)}`);
      } else {
        out += "(";
        i += 1;
      }
      continue;
    }
    if (c === ")") {
      if (stack.length === 0) throw new Error("unbalanced )");
      fold = stack.pop()!;
      out += ")";
      i += 1;
      continue;
    }
    if (c === "{") {
      // A quantifier: copy it whole so its digits are not mistaken for anything else.
      const end = go.indexOf("}", i);
      out += go.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    out += fold && LETTER.test(c) ? `[${c}${swapCase(c)}]` : c;
    i += 1;
  }
  if (stack.length > 0) throw new Error("unbalanced (");
  return out;
}

function classEnd(go: string, start: number): number {
  let i = start + 1;
  if (go[i] === "^") i += 1;
  if (go[i] === "]") i += 1;
  while (i < go.length && go[i] !== "]") {
    if (go.startsWith("[:", i)) throw new Error("POSIX classes are not supported");
    i += go[i] === "\\" ? 2 : 1;
  }
  if (i >= go.length) throw new Error("unterminated class");
  return i;
}

/** `[a-z0-9_]` → `[a-z0-9_A-Z]`: each letter and letter range gains its other case. */
function foldClass(cls: string): string {
  const negated = cls[1] === "^";
  const body = cls.slice(negated ? 2 : 1, -1);
  const extra: string[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i] === "\\") {
      i += body[i + 1] === "x" ? 4 : 2;
      continue;
    }
    const c = body[i]!;
    if (body[i + 1] === "-" && i + 2 < body.length && body[i + 2] !== "\\") {
      const to = body[i + 2]!;
      if (LETTER.test(c) && LETTER.test(to)) extra.push(`${swapCase(c)}-${swapCase(to)}`);
      i += 3;
      continue;
    }
    if (LETTER.test(c)) extra.push(swapCase(c));
    i += 1;
  }
  // A trailing `-` would turn the appended text into a range: keep the original body last.
  const tail = body.endsWith("-") && !body.endsWith("\\-");
  const core = tail ? body.slice(0, -1) : body;
  return `[${negated ? "^" : ""}${core}${extra.join("")}${tail ? "-" : ""}]`;
}
