// vitest globalSetup: one empty HOME for the whole run, made before any worker starts (workers inherit
// process.env). No git started by a test or by the product (which drops GIT_* but keeps HOME) reads the
// host's ~/.gitconfig; the test's own git also skips the global and system files. Removed at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const home = mkdtempSync(path.join(tmpdir(), "swarm-home-"));
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = path.join(home, ".config");
  process.env.GIT_CONFIG_NOSYSTEM = "1";
  process.env.GIT_CONFIG_GLOBAL = process.platform === "win32" ? "NUL" : "/dev/null";
  return () => rmSync(home, { recursive: true, force: true });
}
