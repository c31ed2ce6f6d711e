//! Work over many photos on several cores, results in input order.
//!
//! Each worker owns its state (a `Verifier`: ONNX Runtime sessions run one call at a time, so
//! workers sharing one would wait on each other) and takes the next photo when it is free; the
//! calling thread hands the results on in input order, as soon as each one's turn comes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The default number of jobs: one per core this process may use.
pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Runs `work` over `items` on one thread per state, and calls `emit` with each result in the
/// order of `items`. `emit` returning `false` (the reader went away) stops the work early.
pub(crate) fn in_order<T, S, R>(
    items: &[T],
    states: Vec<S>,
    work: impl Fn(&mut S, usize, &T) -> R + Sync,
    mut emit: impl FnMut(usize, R) -> bool,
) where
    T: Sync,
    S: Send,
    R: Send,
{
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for mut state in states {
            let tx = tx.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() || stop.load(Ordering::Relaxed) {
                    break;
                }
                if tx.send((i, work(&mut state, i, &items[i]))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut turn = 0;
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&turn) {
                if !emit(turn, result) {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
                turn += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order_whatever_finishes_first() {
        let items: Vec<u64> = (0..50).collect();
        let mut seen = Vec::new();
        // later items finish first: the early ones sleep longer
        in_order(
            &items,
            vec![(), (), ()],
            |(), _, &v| {
                std::thread::sleep(std::time::Duration::from_millis(50u64.saturating_sub(v)));
                v * 10
            },
            |i, r| {
                seen.push((i, r));
                true
            },
        );
        assert_eq!(seen, items.iter().map(|&v| (v as usize, v * 10)).collect::<Vec<_>>());
    }

    #[test]
    fn emit_returning_false_stops_the_work() {
        let items: Vec<u32> = (0..1000).collect();
        let done = AtomicUsize::new(0);
        let mut emitted = 0;
        in_order(
            &items,
            vec![(), ()],
            |(), _, _| {
                done.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(1));
            },
            |_, ()| {
                emitted += 1;
                emitted < 5
            },
        );
        assert_eq!(emitted, 5);
        assert!(done.load(Ordering::Relaxed) < 100, "{} items worked on after the stop", done.load(Ordering::Relaxed));
    }
}
