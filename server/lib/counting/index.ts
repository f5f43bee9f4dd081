/** The counting demo stream: message 1..count at an interval, resumable by Last-Event-ID, then `done`. */
export { COUNTING_LIMITS, countingFrames, resumeAt } from './frames'
export { runCounting, type CountingRun } from './stream'
