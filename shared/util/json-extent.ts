/**
 * How deep a JSON value nests and how many values it holds, measured without recursion (so any
 * depth is measured safely). DynamoDB stores at most 32 levels of nested attributes and 400 KB per
 * item, so free-form values kept on an item (a runner's `info`, a CodeArts step's `properties`)
 * are checked against bounds before they are stored.
 */
export interface JsonExtent {
  depth: number;
  values: number;
}

export function jsonExtent(value: unknown, limit = { depth: Infinity, values: Infinity }): JsonExtent {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  const extent: JsonExtent = { depth: 0, values: 0 };
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    extent.values++;
    extent.depth = Math.max(extent.depth, depth);
    // Past a limit the exact figure no longer matters.
    if (extent.depth > limit.depth || extent.values > limit.values) return extent;
    if (typeof current === 'object' && current !== null) {
      for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return extent;
}
