//! Text fields that edit their own buffer. A field shows what the user typed, keystroke by
//! keystroke, through invalid states; it hands the model only text that parses, and is never
//! rewritten from the model while it has focus. When the model changes under a field that does
//! not have focus (Reset, a picker, another field), the field follows the model.

use std::collections::HashMap;

use eframe::egui;

/// One field's text and the model text it was last synced with.
#[derive(Debug, Clone, Default)]
struct Buffer {
    text: String,
    synced: String,
    /// The text last parsed and its error: parsing (a mapping source compiles its whole mapping)
    /// runs when the text changes, not every frame.
    checked: Option<(String, Option<String>)>,
    /// Text that parses but waits for Enter or for the field to lose focus ([`Commit::OnEnter`]).
    pending: bool,
}

/// When a field's text that parses reaches the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// At every keystroke that leaves the text valid.
    AsTyped,
    /// On Enter or when the field loses focus: a prefix typed on the way (a trigger's
    /// `type = "track"` before its `and event = …`) never applies.
    OnEnter,
}

/// The buffers of every field, by the field's id (stable: never derived from layout position).
#[derive(Debug, Default)]
pub struct Buffers {
    by_id: HashMap<egui::Id, Buffer>,
}

/// What an edit of a buffered field did this frame.
pub struct Edited<T> {
    pub response: egui::Response,
    /// The parsed value, when the text changed and parses: commit it to the model.
    pub commit: Option<T>,
    /// Why the text does not parse (shown under the field until fixed).
    pub error: Option<String>,
    /// The text parses and differs from the model, but is not applied yet ([`Commit::OnEnter`]).
    pub pending: bool,
}

impl Buffers {
    /// Draws `editor` (a `TextEdit` built around the buffer) for the field `id`.
    ///
    /// `model` is the model's text for the field (as `format` writes it); `parse` turns text into
    /// the model's value. While the field is unfocused, a buffer that parses to the model's value
    /// is kept as typed; otherwise it follows the model whenever the model changed since the last
    /// sync. Text that does not parse stays, with its error, until fixed or the model moves on.
    /// Text that parses reaches the model as `commit` says.
    #[allow(clippy::too_many_arguments)]
    pub fn edit<T: PartialEq>(
        &mut self,
        commit: Commit,
        ui: &mut egui::Ui,
        id: egui::Id,
        model: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        format: impl Fn(&T) -> String,
        editor: impl FnOnce(&mut String, egui::Id) -> egui::TextEdit<'_>,
    ) -> Edited<T> {
        let buffer = self.by_id.entry(id).or_insert_with(|| Buffer {
            text: model.to_string(),
            synced: model.to_string(),
            checked: None,
            pending: false,
        });
        let focused = ui.memory(|m| m.has_focus(id));
        if !focused && buffer.synced != model {
            let same = match (parse(&buffer.text), parse(model)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if !same {
                buffer.text = model.to_string();
            }
            buffer.synced = model.to_string();
        }
        let response = ui.add(editor(&mut buffer.text, id));
        let apply = commit == Commit::AsTyped
            || response.lost_focus()
            || (response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
        if response.changed() || (buffer.pending && apply) {
            let (value, error) = match parse(&buffer.text) {
                Ok(value) if apply => {
                    // The model takes this value: its next text is in sync with the buffer.
                    buffer.synced = format(&value);
                    buffer.pending = false;
                    (Some(value), None)
                }
                Ok(_) => {
                    buffer.pending = true;
                    (None, None)
                }
                Err(e) => {
                    buffer.pending = false;
                    (None, Some(e))
                }
            };
            buffer.checked = Some((buffer.text.clone(), error.clone()));
            return Edited { response, commit: value, error, pending: buffer.pending };
        }
        let error = match &buffer.checked {
            Some((text, error)) if *text == buffer.text => error.clone(),
            _ => {
                let error = parse(&buffer.text).err();
                buffer.checked = Some((buffer.text.clone(), error.clone()));
                error
            }
        };
        Edited { response, commit: None, error, pending: buffer.pending }
    }

    /// [`Buffers::edit`] for plain text, where every text is valid.
    pub fn edit_text(
        &mut self,
        ui: &mut egui::Ui,
        id: egui::Id,
        model: &str,
        editor: impl FnOnce(&mut String, egui::Id) -> egui::TextEdit<'_>,
    ) -> Edited<String> {
        self.edit(Commit::AsTyped, ui, id, model, |t| Ok(t.to_string()), String::clone, editor)
    }

    /// Forgets every buffer (a closed editor).
    pub fn clear(&mut self) {
        self.by_id.clear();
    }
}
