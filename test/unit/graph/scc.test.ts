import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stronglyConnectedComponents } from "../../../src/graph/scc.js";

const sccsOf = (nodes: string[], edges: Record<string, string[]>) => stronglyConnectedComponents(nodes, (n) => edges[n] ?? []);

describe("stronglyConnectedComponents", () => {
  const cases: { name: string; nodes: string[]; edges: Record<string, string[]>; expected: string[][] }[] = [
    { name: "no edges", nodes: ["a", "b"], edges: {}, expected: [["a"], ["b"]] },
    { name: "chain: dependencies first", nodes: ["a", "b", "c"], edges: { a: ["b"], b: ["c"] }, expected: [["c"], ["b"], ["a"]] },
    { name: "two-cycle", nodes: ["a", "b"], edges: { a: ["b"], b: ["a"] }, expected: [["a", "b"]] },
    { name: "self loop", nodes: ["a"], edges: { a: ["a"] }, expected: [["a"]] },
    {
      name: "cycle with a tail on both sides, members in input order",
      nodes: ["top", "z", "y", "x", "leaf"],
      edges: { top: ["x"], x: ["y"], y: ["z"], z: ["x", "leaf"] },
      expected: [["leaf"], ["z", "y", "x"], ["top"]],
    },
    { name: "edges to unknown nodes are ignored", nodes: ["a"], edges: { a: ["ghost"] }, expected: [["a"]] },
  ];
  for (const c of cases) it(c.name, () => expect(sccsOf(c.nodes, c.edges)).toEqual(c.expected));

  it("does not overflow the stack on a 20,000-node chain", () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => i);
    const components = stronglyConnectedComponents(nodes, (n) => (n + 1 < nodes.length ? [n + 1] : [0]));
    expect(components).toHaveLength(1);
    expect(components[0]).toHaveLength(20_000);
  });

  it("every node once; every edge points to the same or an earlier component", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(14), fc.nat(14)), { maxLength: 40 }), (pairs) => {
        const nodes = Array.from({ length: 15 }, (_, i) => i);
        const successors = (n: number) => pairs.filter(([from]) => from === n).map(([, to]) => to);
        const components = stronglyConnectedComponents(nodes, successors);
        const position = new Map<number, number>();
        components.forEach((c, i) => c.forEach((n) => position.set(n, i)));
        expect([...position.keys()].sort((a, b) => a - b)).toEqual(nodes);
        for (const [from, to] of pairs) expect(position.get(to)!).toBeLessThanOrEqual(position.get(from)!);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
