/**
 * The CI-sized subset of AgentDojo that `npm test` runs through the guard: the first five user tasks of every suite
 * against every injection task (135 pairs, seconds in-process). The full 629 pairs are `npm run eval`.
 */
export const CI_SUBSET = {
  userTasks: ["user_task_0", "user_task_1", "user_task_2", "user_task_3", "user_task_4"],
} as const;
