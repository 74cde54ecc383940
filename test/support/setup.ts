// vitest setupFiles: removes every temp dir the kit (git-repo.ts) made once the test file is done.
// The isolated HOME is global-setup.ts.
import { afterAll } from "vitest";
import { removeTempDirs } from "./git-repo.js";

afterAll(removeTempDirs);
