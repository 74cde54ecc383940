import { describe, expect, it } from "vitest";
import {
  alignColumns,
  formatDuration,
  formatPercent,
  formatPercentValue,
  formatTokens,
  formatUSD,
  oneLine,
  padEnd,
  padStart,
} from "../../../src/util/format.js";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [-5, "0 ms"],
    [Number.NaN, "0 ms"],
    [850, "850 ms"],
    [999.4, "999 ms"],
    [999.6, "1.0 s"],
    [12_345, "12.3 s"],
    [59_949, "59.9 s"],
    [59_960, "1 m 00 s"],
    [245_000, "4 m 05 s"],
    [3_599_400, "59 m 59 s"],
    [3_600_000, "1 h 00 m"],
    [3_720_000, "1 h 02 m"],
  ])("%s ms → %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("formatUSD", () => {
  it.each([
    [0, "$0.00"],
    [0.0042, "$0.0042"],
    [0.00004, "$0.0000"],
    [0.01, "$0.01"],
    [1.234, "$1.23"],
    [1234.5, "$1,234.50"],
    [1_234_567.891, "$1,234,567.89"],
    [-0.42, "-$0.42"],
    [-0.003, "-$0.0030"],
    [Number.POSITIVE_INFINITY, "$?"],
  ])("%s → %s", (usd, expected) => {
    expect(formatUSD(usd)).toBe(expected);
  });
});

describe("formatTokens", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [1000, "1k"],
    [1234, "1.2k"],
    [12_345, "12.3k"],
    [123_456, "123k"],
    [999_600, "1M"],
    [1_200_000, "1.2M"],
    [1_234_567, "1.23M"],
    [12_345_678, "12.3M"],
    [2_000_000_000, "2B"],
    [-1234, "-1.2k"],
  ])("%s → %s", (tokens, expected) => {
    expect(formatTokens(tokens)).toBe(expected);
  });
});

describe("formatPercent", () => {
  it.each([
    [0.1333, {}, "13%"],
    [0.875, { digits: 1 }, "87.5%"],
    [1, {}, "100%"],
    [-0.618, { signed: true }, "-62%"],
    [0.12, { signed: true }, "+12%"],
    [-0.0001, {}, "0%"],
    [null, {}, "n/a"],
    [Number.NaN, {}, "n/a"],
  ] as const)("%s %o → %s", (ratio, options, expected) => {
    expect(formatPercent(ratio, options)).toBe(expected);
  });

  it("takes values already in percent", () => {
    expect(formatPercentValue(44.5, { signed: true, digits: 1 })).toBe("+44.5%");
    expect(formatPercentValue(null)).toBe("n/a");
  });
});

describe("padding and columns", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(padEnd("→x", 4)).toBe("→x  ");
    expect(padStart("7", 3)).toBe("  7");
    expect(padEnd("toolong", 3)).toBe("toolong");
  });

  it("aligns columns and trims trailing spaces", () => {
    expect(
      alignColumns(
        [
          ["role", "tasks", "note"],
          ["refactor", "120", ""],
          ["doc", "7", "x"],
        ],
        ["left", "right", "left"],
      ),
    ).toEqual(["role      tasks  note", "refactor    120", "doc           7  x"]);
  });
});

describe("oneLine", () => {
  it("strips ANSI and control characters and collapses whitespace", () => {
    expect(oneLine("\x1b[31mboom\x1b[39m\n  at line\r\n2\u0007")).toBe("boom at line 2");
  });

  it("caps the length with an ASCII ellipsis", () => {
    expect(oneLine("a".repeat(20), 10)).toBe("aaaaaaa...");
  });
});
