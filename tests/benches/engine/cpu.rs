//! CPU time of this process: the time its threads spent running, from the scheduler's own
//! accounting (`/proc/self/task/*/schedstat`, nanoseconds; Linux). On a machine shared with
//! other work a round's wall time includes waiting for a core; its CPU time does not, so the two
//! together tell the engine's cost from the machine's load.

use std::time::Duration;

/// CPU time of every thread of the process so far (the engine's thread and the store's
/// blocking threads); zero where `/proc` is missing.
pub fn used() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Duration::ZERO };
    let nanos: u64 = tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()))
        .sum();
    Duration::from_nanos(nanos)
}
