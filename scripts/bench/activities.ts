/** The floor's one activity: it does nothing, so a run measures Temporal and the worker alone. */
export function createFloorActivities() {
  return {
    async noop(key: string): Promise<string> {
      return key;
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
