//! The store's own threads: a few readers and one writer, each taking jobs first in, first out.
//!
//! Every call of the store that reaches SQLite runs here, never on an async worker, so a slow disk
//! stalls only the calls that wait for it. Why not tokio's blocking pool (the first design): under
//! load it grew one thread per call in flight (64 at 64 connections), which then queued on the
//! reader connections' condition variable and were woken in no particular order. Here there is a
//! thread per connection of a file database (in memory, the reader threads share its one), a call
//! waits in one queue in arrival order, and a busy thread takes the next job without sleeping.
//! Measured in `docs/benchmarks.md`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;

use crossbeam_channel::{unbounded, Receiver, Sender};
use domain::RepoError;

/// A unit of work for a lane.
type Job = Box<dyn FnOnce() + Send>;

/// Which connections a call needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lane {
    /// A reader connection (the only connection of an in-memory database, shared with writes).
    Read,
    /// The writer connection.
    Write,
}

/// The reader and writer threads of one store. Dropping it lets them finish the jobs queued and
/// exit.
#[derive(Debug)]
pub(super) struct Lanes {
    read: Sender<Job>,
    write: Sender<Job>,
}

impl Lanes {
    /// `readers` threads for reads and one for writes. Reads never queue behind writes, even on
    /// an in-memory database (whose one connection serves both, behind its lock): a read's work
    /// outside SQLite, such as parsing what it read, runs beside a write.
    pub(super) fn start(readers: usize) -> std::io::Result<Self> {
        let (write, write_jobs) = unbounded::<Job>();
        spawn("botfleet-store-writer", write_jobs)?;
        let (read, read_jobs) = unbounded::<Job>();
        for n in 0..readers.max(1) {
            spawn(&format!("botfleet-store-reader-{n}"), read_jobs.clone())?;
        }
        Ok(Self { read, write })
    }

    /// Runs `f` on the lane's next free thread and waits for its result without blocking the
    /// caller's thread. A panic in `f` is an `Unavailable` error, not a lost thread.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        lane: Lane,
        f: impl FnOnce() -> Result<T, RepoError> + Send + 'static,
    ) -> Result<T, RepoError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(failed("panicked")));
            // The caller may have gone (its request was dropped): nothing to answer then.
            let _ = tx.send(outcome);
        });
        let queue = match lane {
            Lane::Read => &self.read,
            Lane::Write => &self.write,
        };
        queue.send(job).map_err(|_| failed("found the store's threads gone"))?;
        rx.await.map_err(|_| failed("was dropped unanswered"))?
    }
}

fn failed(what: &str) -> RepoError {
    RepoError::unavailable(anyhow::anyhow!("a store call {what}"))
}

fn spawn(name: &str, jobs: Receiver<Job>) -> std::io::Result<()> {
    thread::Builder::new().name(name.to_owned()).spawn(move || {
        // Ends when every sender is gone: the store was dropped.
        for job in jobs {
            job();
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_answer_in_their_lane_and_a_panic_is_an_error() {
        let lanes = Lanes::start(2).unwrap();
        let name = || Ok(thread::current().name().unwrap_or_default().to_owned());
        assert_eq!(lanes.run(Lane::Write, name).await.unwrap(), "botfleet-store-writer");
        assert!(lanes.run(Lane::Read, name).await.unwrap().starts_with("botfleet-store-reader-"));
        let panicked = lanes.run(Lane::Read, || -> Result<(), RepoError> { panic!("boom") }).await;
        assert!(matches!(panicked, Err(RepoError::Unavailable(_))), "{panicked:?}");
        // The thread that caught the panic still serves.
        for _ in 0..4 {
            assert_eq!(lanes.run(Lane::Read, || Ok(7)).await.unwrap(), 7);
        }
    }
}
