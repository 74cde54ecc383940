/** The part of a stream a command writes to; tests pass a string buffer. */
interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** Everything a command touches outside itself; tests pass their own. */
export interface CliIO {
  stdout: Writable & NodeJS.WritableStream;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Commands set this; main returns it. */
  exitCode: { value: number };
  redact(text: string): string;
  /** Returns a function that removes the handlers. */
  installSignals(onFirst: () => void, onSecond: () => void): () => void;
}
