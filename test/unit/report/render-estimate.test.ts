import { describe, expect, it } from "vitest";
import { describeCalibration } from "../../../src/report/render-estimate.js";

describe("describeCalibration", () => {
  it.each([
    { name: "uncalibrated", input: { calibrated: false }, expected: "uncalibrated: no earlier run of this model and role in this repository" },
    { name: "one run", input: { calibrated: true, calibratedFromRuns: 1 }, expected: "calibrated from 1 run" },
    { name: "several runs", input: { calibrated: true, calibratedFromRuns: 4 }, expected: "calibrated from 4 runs" },
  ])("$name", ({ input, expected }) => {
    expect(describeCalibration(input)).toBe(expected);
  });
});
