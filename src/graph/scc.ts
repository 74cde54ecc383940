// Pure: strongly connected components (Tarjan), iterative so a 5,000-file import chain cannot overflow the stack.

/**
 * Components of the graph `nodes` × `successors`. Each node appears in exactly one component.
 * Order: a component comes after every component it can reach, so with importer → imported edges
 * dependencies come first. Within a component, nodes keep the order of `nodes`. Deterministic.
 */
export function stronglyConnectedComponents<T>(nodes: readonly T[], successors: (node: T) => Iterable<T>): T[][] {
  const index = new Map<T, number>();
  const lowLink = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const order = new Map<T, number>();
  nodes.forEach((node, i) => order.set(node, i));
  const components: T[][] = [];
  let counter = 0;

  for (const root of nodes) {
    if (index.has(root)) continue;
    // Each frame holds the node and an iterator over its remaining successors.
    const frames: { node: T; next: Iterator<T> }[] = [];
    const open = (node: T) => {
      index.set(node, counter);
      lowLink.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, next: successors(node)[Symbol.iterator]() });
    };
    open(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const step = frame.next.next();
      if (!step.done) {
        const successor = step.value;
        if (!order.has(successor)) continue; // edges to nodes outside the set are ignored
        if (!index.has(successor)) open(successor);
        else if (onStack.has(successor)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(successor)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: T[] = [];
        let member: T;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        component.sort((a, b) => order.get(a)! - order.get(b)!);
        components.push(component);
      }
    }
  }
  return components;
}
