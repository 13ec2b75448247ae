//! Progress bars on the terminal (indicatif) for the application layer's long runs: graph
//! builds, travel-time searches, siting. Drawn on stderr only when it is a terminal, so
//! piped and redirected output stays clean.

use crate::messages::Lang;
use hsplan_app::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// A bar that follows the stages of one run.
pub struct TerminalProgress {
    bar: ProgressBar,
    lang: Lang,
    terminal: bool,
    stage: Mutex<Option<Stage>>,
}

impl TerminalProgress {
    /// A bar on stderr; hidden when stderr is not a terminal.
    pub fn new(lang: Lang) -> Self {
        // drawn from the first report on, so nothing shows before the run starts
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{msg:>14} [{bar:32}] {pos}/{len} {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        TerminalProgress {
            bar,
            lang,
            terminal: std::io::stderr().is_terminal(),
            stage: Mutex::new(None),
        }
    }

    /// The stage's words, from the one message catalogue.
    fn label(&self, stage: Stage) -> &'static str {
        let key = match stage {
            Stage::Reading => "stage_reading",
            Stage::Building => "stage_building",
            Stage::Preprocessing => "stage_preprocessing",
            Stage::Candidates => "stage_candidates",
            Stage::Costs => "stage_costs",
            Stage::Solving => "stage_solving",
            Stage::Summarising => "stage_summarising",
            Stage::Done => "stage_done",
        };
        hsplan_report::messages::WEB
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(key, |(_, zh, en)| self.lang.pick(zh, en))
    }

    /// Whether the bar is drawn at all.
    pub fn is_hidden(&self) -> bool {
        !self.terminal
    }
}

impl Progress for TerminalProgress {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        if stage == Stage::Done {
            self.bar.finish_and_clear();
            return;
        }
        let mut current = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        let first = current.is_none();
        if *current != Some(stage) {
            *current = Some(stage);
            self.bar.set_length(total.max(1));
            self.bar.reset();
            self.bar.set_message(self.label(stage));
        }
        self.bar.set_length(total.max(1));
        self.bar.set_position(done.min(total.max(1)));
        if first && self.terminal {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Drop for TerminalProgress {
    fn drop(&mut self) {
        // a run that ended in an error leaves no half-drawn bar behind
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_have_words_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let p = TerminalProgress::new(lang);
            for s in [
                Stage::Reading,
                Stage::Building,
                Stage::Preprocessing,
                Stage::Candidates,
                Stage::Costs,
                Stage::Solving,
                Stage::Summarising,
            ] {
                assert!(!p.label(s).starts_with("stage_"), "{s:?}");
            }
        }
        assert_eq!(
            TerminalProgress::new(Lang::En).label(Stage::Costs),
            "travel times"
        );
    }
}
