//! The parser: Markdown text in, runbook model and diagnostics out. Pure: no I/O, no terminal.

mod annotations;
mod bullet_item;
mod classify;
mod console;
mod front_matter;
mod info_command;
mod introduction;
mod known_commands;
mod lookup_block;
mod nesting;
mod prompts;
pub mod shell;

pub use classify::{CONSOLE_LANGS, SHELL_LANGS};
mod shell_vars;
mod simple_yaml;
mod statements;
mod unclosed_comment;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::digest::sha256_hex;
use crate::runbook::{
    Annotations, ChecklistItem, Command, Diagnostic, DiagnosticCode, Dimension, Lookup,
    LookupQuery, Runbook, Step, Variable,
};
use crate::span::{LineIndex, Span};
use annotations::CommentAnnotation;
pub use shell_vars::plain_expansions;

/// A runbook and what is wrong with it; the runbook is as complete as the text allows.
#[derive(Debug)]
pub struct Parsed {
    pub runbook: Runbook,
    pub diagnostics: Vec<Diagnostic>,
}

/// Texts from this size on are parsed by pulldown-cmark on a second thread while the events are
/// read: below it, a thread costs more than it saves, and `check` already has a file per core.
const PIPELINE_MIN: usize = 256 * 1024;

/// Texts from this size on are hashed on a second thread while they are parsed: hashing takes
/// about a tenth of the parse, more than a thread costs to start (~30 µs).
const HASH_ALONGSIDE_MIN: usize = 256 * 1024;

/// Parses `text`, the contents of the file at `path`.
pub fn parse(path: &str, text: &str) -> Parsed {
    let digest = || sha256_hex(text.as_bytes());
    if text.len() < HASH_ALONGSIDE_MIN {
        let mut parsed = parse_unhashed(path, text);
        parsed.runbook.sha256 = digest();
        return parsed;
    }
    std::thread::scope(|scope| {
        let hashing = std::thread::Builder::new().spawn_scoped(scope, digest);
        let mut parsed = parse_unhashed(path, text);
        // No thread to be had (or it died): hash here, the answer is the same.
        parsed.runbook.sha256 = match hashing {
            Ok(handle) => handle.join().unwrap_or_else(|_| digest()),
            Err(_) => digest(),
        };
        parsed
    })
}

/// [`parse`] without the text's SHA-256: `runbook.sha256` is left empty. For callers that never
/// show nor log the digest (`check`), which are spared hashing every byte once more.
pub fn parse_unhashed(path: &str, text: &str) -> Parsed {
    parse_with(path, text, PIPELINE_MIN)
}

/// [`parse_unhashed`], with pulldown-cmark on its own thread from `pipeline_min` bytes on.
fn parse_with(path: &str, text: &str, pipeline_min: usize) -> Parsed {
    // A file whose lines end in a lone CR (classic Mac OS) is read with LF in their place: same
    // length, same offsets, so every span keeps the line and column of the original bytes. The
    // commands read from it end their lines in LF, as the author's editor showed them.
    let cr_only = cr_line_endings(text);
    let translated;
    let text: &str = if cr_only {
        translated = text.replace('\r', "\n");
        &translated
    } else {
        text
    };
    // Same length, same offsets: every span still points into `text`.
    let capped = nesting::cap_nesting(text);
    // Same length again: an unclosed annotation comment is read as an empty one on its line.
    let (closed, unclosed) = unclosed_comment::close_unclosed(&capped);
    let text: &str = &closed;
    let index = LineIndex::new(text);
    let mut diagnostics = Vec::new();
    for at in unclosed {
        diagnostics.push(Diagnostic::error(
            DiagnosticCode::UnclosedAnnotationComment,
            index.span(at, at + 4),
            "annotation comment is not closed before the next blank line, so it would hide what follows: end it with `-->` on its line (until then it is ignored)",
        ));
    }
    if cr_only {
        diagnostics.push(Diagnostic::warning(
            DiagnosticCode::CrLineEndings,
            Span::FILE,
            "lines end in a lone CR (classic Mac OS line endings): they are read as line ends; convert them to LF, e.g. `tr '\\r' '\\n' < FILE > FILE.new`",
        ));
    }
    let fm = front_matter::parse(text, &index, &mut diagnostics);
    let mut walker = Walker::new(text, &index, fm.body_start);
    walker.walk(pipeline_min, &mut diagnostics);
    let sections = walker.sections;

    let choice = title_heading(&sections, text);
    let title_heading = choice.consumed;
    let title = fm
        .title
        .clone()
        .or_else(|| {
            choice.source.map(|i| {
                sections[i]
                    .heading
                    .as_ref()
                    .map(|h| h.title.clone())
                    .unwrap_or_default()
            })
        })
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| file_stem(path));

    let mut intro_sections = Vec::new();
    let mut steps: Vec<Step> = Vec::with_capacity(sections.len());
    let mut explicit_ids = Vec::with_capacity(sections.len());
    // The open headings: a step's title is read from `steps` when needed, a group's kept here.
    let mut stack: Vec<(u8, Crumb)> = Vec::new();
    // Steps under the same group share one breadcrumb, rebuilt only when the groups change:
    // `crumb` is valid for as many leading entries of `stack` as `crumb_valid` says.
    let mut crumb: Arc<[String]> = Arc::from([]);
    let mut crumb_valid = 0;
    for (i, section) in sections.into_iter().enumerate() {
        let heading = match &section.heading {
            Some(h) if Some(i) != title_heading => h,
            _ => {
                if section.has_content {
                    intro_sections.push(section);
                }
                continue;
            }
        };
        while stack
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            stack.pop();
            crumb_valid = crumb_valid.min(stack.len());
        }
        let depth = stack.len();
        let level = heading.level;
        if section.has_content {
            if crumb.len() != depth || crumb_valid < depth {
                crumb = stack
                    .iter()
                    .map(|(_, c)| match c {
                        Crumb::Step(i) => steps[*i].title.clone(),
                        Crumb::Group(title) => title.clone(),
                    })
                    .collect();
                crumb_valid = depth;
            }
            stack.push((level, Crumb::Step(steps.len())));
            let (step, id) = section.into_step(text, &index, Arc::clone(&crumb));
            steps.push(step);
            explicit_ids.push(id);
        } else {
            let title = section.heading.map(|h| h.title).unwrap_or_default();
            stack.push((level, Crumb::Group(title)));
        }
    }
    let mut introduction = None;
    match introduction::settle(intro_sections, text, &index, steps.is_empty(), &title) {
        introduction::Settled::None => {}
        introduction::Settled::Text(intro) => introduction = Some(intro),
        introduction::Settled::Step(step, id) => {
            steps.insert(0, *step);
            explicit_ids.insert(0, id);
        }
    }
    for (i, step) in steps.iter_mut().enumerate() {
        step.index = i + 1;
    }

    assign_ids(&mut steps, explicit_ids, &mut diagnostics);
    check_command_names(&steps, &mut diagnostics);
    let variables = collect_variables(fm.variables, &mut steps, &index);
    statements::placeholder_diagnostics(&steps, &index, &mut diagnostics);
    if steps.is_empty() {
        diagnostics.push(Diagnostic::warning(
            DiagnosticCode::NoSteps,
            Span::FILE,
            "no steps: no heading is followed by text, a list or a code block",
        ));
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.severity));

    Parsed {
        runbook: Runbook {
            title,
            path: path.to_string(),
            sha256: String::new(),
            front_matter: fm.front_matter,
            introduction,
            variables,
            steps,
        },
        diagnostics,
    }
}

/// True when the text's lines end in a lone CR: it has a CR and no LF at all. A file that mixes
/// them is not guessed at; its lone CRs are `control-character` errors.
pub fn cr_line_endings(text: &str) -> bool {
    memchr::memchr(b'\n', text.as_bytes()).is_none()
        && memchr::memchr(b'\r', text.as_bytes()).is_some()
}

/// An open heading, as the breadcrumb of the steps under it will name it.
enum Crumb {
    /// The heading of `steps[i]`.
    Step(usize),
    /// A heading with no content of its own.
    Group(String),
}

/// Which heading names the runbook, and which heading (if any) is that title rather than a step.
struct TitleChoice {
    /// The section whose heading gives the title.
    source: Option<usize>,
    /// The section whose heading is the title itself: its content is the introduction.
    consumed: Option<usize>,
}

/// The first H1 names the runbook; with no H1, the first heading does when only blank lines,
/// comments or badges come before it. The heading is taken out of the steps only when it is the
/// first heading and either the only H1 or has no content: a first heading with commands under it
/// (several H1s, or a file that starts at H2) stays a step, so that nothing it holds vanishes.
fn title_heading(sections: &[Section], text: &str) -> TitleChoice {
    let mut headings = sections
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.heading.as_ref().map(|h| (i, h.level)));
    let Some((first, level)) = headings.next() else {
        return TitleChoice {
            source: None,
            consumed: None,
        };
    };
    let h1s = std::iter::once((first, level))
        .chain(headings)
        .filter(|&(_, l)| l == 1)
        .map(|(i, _)| i)
        .take(2)
        .collect::<Vec<_>>();
    let source = match h1s.first() {
        Some(&i) => Some(i),
        None => sections
            .first()
            .is_none_or(|preamble| only_badges(preamble.body(text)))
            .then_some(first),
    };
    let empty = !sections[first].has_content;
    let consumed = source
        .filter(|&i| i == first)
        .filter(|_| (level == 1 && h1s.len() == 1) || empty);
    TitleChoice { source, consumed }
}

/// True when `text` holds nothing a reader would read before a title: blank lines, HTML comments,
/// and badges (images, or links whose text is only images, as READMEs put above their title).
fn only_badges(text: &str) -> bool {
    let mut in_image = 0usize;
    // An HTML block comes line by line: a comment may span several.
    let mut html = String::new();
    Parser::new(text).all(|event| match event {
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            true
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            true
        }
        Event::End(TagEnd::HtmlBlock) => {
            let ok = is_only_comments(&html);
            html.clear();
            ok
        }
        Event::Start(Tag::Paragraph | Tag::Link { .. } | Tag::HtmlBlock)
        | Event::End(TagEnd::Paragraph | TagEnd::Link)
        | Event::SoftBreak
        | Event::HardBreak => true,
        Event::Html(t) => {
            html.push_str(&t);
            true
        }
        Event::InlineHtml(t) => is_only_comments(&t),
        Event::Text(t) | Event::Code(t) => in_image > 0 || t.trim().is_empty(),
        _ => false,
    })
}

fn file_stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// `Restart FreeSWITCH (node 3)` → `restart-freeswitch-node-3`.
pub fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        // ASCII first: the same answer as the Unicode tables below, without the lookups.
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !c.is_ascii() && c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn assign_ids(
    steps: &mut [Step],
    explicit: Vec<Option<(String, Span)>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Hash sets rather than scans: runbooks repeat subheadings (`### Verify`) hundreds of times.
    let mut seen: HashMap<&str, Span> = HashMap::new();
    // Explicit ids first, so that a title slug never takes an id an author wrote.
    for (id, span) in explicit.iter().flatten() {
        match seen.get(id.as_str()) {
            Some(first) => diagnostics.push(Diagnostic::error(
                DiagnosticCode::DuplicateStepId,
                *span,
                format!(
                    "step id `{id}` is already used by the step at line {}",
                    first.line
                ),
            )),
            None => {
                seen.insert(id, *span);
            }
        }
    }
    let mut taken: HashSet<String> = HashSet::with_capacity(steps.len());
    // Per repeated base, the suffix its next search starts from, kept apart for explicit ids and
    // slugs as they differ in what counts as free. Every earlier candidate of that kind was taken
    // or reserved and stays so (ids are only ever added), so resuming gives what counting from
    // `-2` again would, without the quadratic cost.
    let mut resume: [HashMap<String, usize>; 2] = [HashMap::new(), HashMap::new()];
    for (n, (step, id)) in steps.iter_mut().zip(&explicit).enumerate() {
        let base = match id {
            Some((id, _)) => id.clone(),
            None => Some(slug(&step.title))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("step-{}", n + 1)),
        };
        let is_explicit = id.is_some();
        // A slug may not take an id an author wrote (most runbooks write none).
        let reserved = |c: &str| !is_explicit && !seen.is_empty() && seen.contains_key(c);
        // A repeated id still gets a unique one, so `--from` and logs never mean two steps:
        // the base if free, else the first free of `-2`, `-3`, ... Inserting is the test for
        // the base: one hash, where most steps need no other.
        if !reserved(&base) && taken.insert(base.clone()) {
            step.id = base;
            continue;
        }
        let resume = &mut resume[usize::from(is_explicit)];
        let mut k = resume.get(base.as_str()).copied().unwrap_or(2);
        let candidate = loop {
            let candidate = format!("{base}-{k}");
            if !taken.contains(&candidate) && !reserved(&candidate) {
                break candidate;
            }
            k += 1;
        };
        resume.insert(base, k + 1);
        taken.insert(candidate.clone());
        step.id = candidate;
    }
}

fn check_command_names(steps: &[Step], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for command in steps.iter().flat_map(|s| &s.commands) {
        let Some(name) = &command.annotations.name else {
            continue;
        };
        match seen.entry(name) {
            Entry::Occupied(first) => diagnostics.push(Diagnostic::error(
                DiagnosticCode::DuplicateCommandName,
                command.annotations.span.unwrap_or(command.span),
                format!(
                    "command name `{name}` is already used by the command at line {}",
                    first.get().line
                ),
            )),
            Entry::Vacant(slot) => {
                slot.insert(command.span);
            }
        }
    }
}

/// Declared variables in their order, then the undeclared ones commands read, in order of first
/// use. Each runnable command's `uses` is filled on the way.
fn collect_variables(
    declared: Vec<Variable>,
    steps: &mut [Step],
    index: &LineIndex<'_>,
) -> Vec<Variable> {
    let mut vars = declared;
    // Names already in `vars`: a set, since a scan of `vars` per use made thousands of
    // variables quadratic.
    let mut known: HashSet<String> = vars.iter().map(|v| v.name.clone()).collect();
    let mut scratch = shell_vars::Scratch::default();
    // `$VARS` in lookup dimension values are the session's variables too.
    for lookup in steps.iter().flat_map(|s| &s.lookups) {
        let dims: Vec<&Dimension> = match &lookup.query {
            LookupQuery::Metric { metric, .. } => metric.dimensions.iter().collect(),
            LookupQuery::Expression { queries, .. } => {
                queries.iter().flat_map(|q| &q.metric.dimensions).collect()
            }
            LookupQuery::Alarms { .. } => Vec::new(),
        };
        for d in dims {
            for u in shell_vars::unset_uses(&d.value, &mut scratch) {
                if !known.contains(u.name) {
                    known.insert(u.name.to_string());
                    vars.push(Variable::undeclared(u.name, lookup.span));
                }
            }
        }
    }
    let mut all_uses: Vec<Vec<String>> = Vec::new();
    // What earlier steps' commands set (`export TF_WORKSPACE=…` in step 1, read in step 3): read
    // lazily too, up to the step being read.
    let steps_read_only: &[Step] = steps;
    let mut set_before: HashSet<&str> = HashSet::new();
    let mut steps_read = 0;
    // Each step's reading of its own assignments, kept for when later steps need the rest.
    let mut step_sets: Vec<Option<shell_vars::EarlierAssignments<'_>>> = Vec::new();
    for (si, step) in steps_read_only.iter().enumerate() {
        // What the step's earlier commands set (`export X=1` then `echo $X`): read lazily, only
        // once a later command reads something.
        let mut set_earlier = shell_vars::EarlierAssignments::default();
        for (k, command) in step.commands.iter().enumerate() {
            let mut uses: Vec<String> = Vec::new();
            let shell = command.runnable;
            let a = &command.annotations;
            // The texts a shell reads, in this order; an array, as a `Vec` per command costs.
            let texts: [Option<(&str, Option<Span>)>; 3] = [
                (shell && a.runner.is_none())
                    .then_some((command.code.as_str(), Some(command.span))),
                a.runner.as_deref().map(|r| (r, a.span)),
                a.cwd.as_deref().map(|c| (c, a.span)),
            ];
            for (text, span) in texts.into_iter().flatten() {
                for u in shell_vars::unset_uses(text, &mut scratch) {
                    if set_earlier.sets(&step.commands[..k], u.name) {
                        continue;
                    }
                    for (earlier, set) in steps_read_only[steps_read..si]
                        .iter()
                        .zip(&mut step_sets[steps_read..si])
                    {
                        if let Some(set) = set.take() {
                            set.add_all(&earlier.commands, &mut set_before);
                        }
                    }
                    steps_read = si;
                    if set_before.contains(u.name) {
                        continue;
                    }
                    // Only what reaches a shell: a manual block's text is never run.
                    if command.runnable && !uses.iter().any(|n| n == u.name) {
                        uses.push(u.name.to_string());
                    }
                    if known.contains(u.name) {
                        continue;
                    }
                    known.insert(u.name.to_string());
                    let span = span.map_or(command.span, |s| {
                        if std::ptr::eq(text, command.code.as_str()) {
                            locate(index, command, u.offset).unwrap_or(s)
                        } else {
                            s
                        }
                    });
                    vars.push(Variable::undeclared(u.name, span));
                }
            }
            // A `<placeholder>` is a variable the command reads too.
            for p in &command.placeholders {
                if !uses.contains(&p.variable) {
                    uses.push(p.variable.clone());
                }
                if known.insert(p.variable.clone()) {
                    let span = locate(index, command, p.offset).unwrap_or(command.span);
                    // Asked as the author wrote it: `HO_ID` alone would not say which blank it fills.
                    let mut var = Variable::undeclared(&p.variable, span);
                    var.description = Some(format!("placeholder `{}` in a command", p.text));
                    vars.push(var);
                }
            }
            all_uses.push(uses);
        }
        step_sets.push(Some(set_earlier));
    }
    drop(set_before);
    for (command, uses) in steps.iter_mut().flat_map(|s| &mut s.commands).zip(all_uses) {
        command.uses = uses;
    }
    vars
}

/// Where byte `offset` of a command's code sits in the file, found by matching the code's line in the source.
fn locate(index: &LineIndex<'_>, command: &Command, offset: usize) -> Option<Span> {
    let before = &command.code[..offset];
    let line_in_code = before.matches('\n').count();
    let col_in_line = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    let first_line = index.line_of(command.span.start);
    // A command from a whole fenced block starts at its fence; one from a prompt or a cut
    // block, at its own line.
    let opening = index
        .line_text(first_line)
        .trim_start_matches([' ', '>', '\t']);
    let fence = opening.starts_with("```") || opening.starts_with("~~~");
    let code_first_line = if fence { first_line + 1 } else { first_line };
    let line = code_first_line + line_in_code;
    let text = index.line_text(line);
    let code_line = command.code.lines().nth(line_in_code)?;
    let lead = text.find(code_line.trim_start()).unwrap_or(0);
    let shift = code_line.len() - code_line.trim_start().len();
    let col = (lead + col_in_line).checked_sub(shift)?;
    let start = index.line_start(line)? + col;
    Some(index.span(start, start + 1))
}

#[derive(Debug)]
struct Heading {
    level: u8,
    title: String,
    span: Span,
}

/// A heading and the content below it, up to the next heading.
#[derive(Debug)]
struct Section {
    heading: Option<Heading>,
    content_start: usize,
    content_end: usize,
    has_content: bool,
    commands: Vec<Command>,
    checklist: Vec<ChecklistItem>,
    /// Top-level checklist items so far, to number the next one.
    top_items: usize,
    step_id: Option<(String, Span)>,
    /// Code blocks seen so far in this section.
    blocks: usize,
    lookups: Vec<Lookup>,
}

impl Section {
    fn new(heading: Option<Heading>, content_start: usize) -> Self {
        Section {
            heading,
            content_start,
            content_end: content_start,
            has_content: false,
            commands: Vec::new(),
            checklist: Vec::new(),
            top_items: 0,
            step_id: None,
            blocks: 0,
            lookups: Vec::new(),
        }
    }

    fn body<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.content_start..self.content_end)
            .unwrap_or("")
            .trim_matches(['\n', '\r'])
    }

    /// The step this section makes, and the id its annotation gives it.
    fn into_step(
        self,
        text: &str,
        index: &LineIndex<'_>,
        breadcrumb: Arc<[String]>,
    ) -> (Step, Option<(String, Span)>) {
        let body = self.body(text).trim_end().to_string();
        let (level, title, span) = match self.heading {
            Some(h) => (h.level, h.title, h.span),
            None => {
                let rest = &text[self.content_start..];
                let at = self.content_start + (rest.len() - rest.trim_start().len());
                (0, String::new(), index.span(at, at))
            }
        };
        let step = Step {
            index: 0,
            id: String::new(),
            title,
            breadcrumb,
            level,
            span,
            body,
            commands: self.commands,
            checklist: self.checklist,
            lookups: self.lookups,
        };
        (step, self.step_id)
    }
}

struct CodeBlock<'t> {
    start: usize,
    info: CowStr<'t>,
    fenced: bool,
    code: String,
}

struct ItemFrame {
    start: usize,
    end: usize,
    /// Index into the section's checklist when this item is a checklist item.
    checklist: Option<usize>,
    text: String,
    /// Whether the item holds a link and text outside any link: a reading-list entry
    /// (`- [Dashboard](https://…)`) has the first and not the second.
    has_link: bool,
    has_plain_text: bool,
    /// Whether a task marker (`[ ]`) made this item a checklist item.
    task: bool,
    /// The checklist frame that was open when this one opened (its parent item).
    parent_checklist_frame: Option<usize>,
    /// Checklist items numbered under this one so far (`3.1`, `3.2`).
    children: usize,
    /// How deep this checklist item is nested in others (0 for a top-level item).
    depth: usize,
    /// The first line of text nested in this item (in a plain sub-list, say): its text when it
    /// has none of its own, as in `1.` followed only by an indented list.
    fallback: String,
    fallback_done: bool,
}

/// Nested task items deeper than this are text of their parent: numbers stay short and a
/// pathological file does not make quadratic numbers.
const MAX_CHECKLIST_DEPTH: usize = 4;

/// Walks pulldown-cmark's events once, cutting the document into sections.
struct Walker<'t> {
    text: &'t str,
    index: &'t LineIndex<'t>,
    body_start: usize,
    sections: Vec<Section>,
    heading: Option<(u8, usize, String)>,
    lists: Vec<bool>,
    items: Vec<ItemFrame>,
    /// Where in `items` the open checklist item is: at most one is open, since checklists do
    /// not nest. Kept so that each event is O(1) whatever the nesting depth (was a scan of `items`).
    checklist_frame: Option<usize>,
    containers: usize,
    /// Open links: text inside one is not an item's own words for the reading-list rule.
    links: usize,
    code: Option<CodeBlock<'t>>,
    html: Option<(usize, CowStr<'t>)>,
    pending: Option<Annotations>,
    /// The source range of the last paragraph: the one just before a code block may introduce
    /// it as sample output.
    last_paragraph: Option<(usize, usize)>,
    /// The last heading's source range: what an unlabelled block right under it is.
    last_heading: Option<(usize, usize)>,
}

impl<'t> Walker<'t> {
    fn new(text: &'t str, index: &'t LineIndex<'t>, body_start: usize) -> Self {
        Walker {
            text,
            index,
            body_start,
            sections: vec![Section::new(None, body_start)],
            heading: None,
            lists: Vec::new(),
            items: Vec::new(),
            checklist_frame: None,
            containers: 0,
            links: 0,
            code: None,
            html: None,
            pending: None,
            last_paragraph: None,
            last_heading: None,
        }
    }

    fn section(&mut self) -> &mut Section {
        self.sections
            .last_mut()
            .expect("the preamble section always exists")
    }

    fn walk(&mut self, pipeline_min: usize, diagnostics: &mut Vec<Diagnostic>) {
        let body = &self.text[self.body_start..];
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_FOOTNOTES;
        if body.len() >= pipeline_min {
            self.walk_pipelined(body, options, diagnostics);
        } else {
            for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
                let at = self.body_start;
                self.event(&event, range.start + at, range.end + at, diagnostics);
            }
        }
        let len = self.text.len();
        self.section().content_end = len;
        if let Some(pending) = self.pending.take() {
            orphan_comment(&pending, diagnostics);
        }
    }

    /// [`walk`](Self::walk) with pulldown-cmark on a second thread, a batch of events ahead:
    /// its parse (a fifth of the work) overlaps the reading of what it found.
    fn walk_pipelined(
        &mut self,
        body: &'t str,
        options: Options,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        const BATCH: usize = 512;
        type Batch<'a> = Vec<(Event<'a>, std::ops::Range<usize>)>;
        std::thread::scope(|scope| {
            let (sender, batches) = std::sync::mpsc::sync_channel::<Batch<'t>>(4);
            let parser = std::thread::Builder::new().spawn_scoped(scope, move || {
                let mut batch = Vec::with_capacity(BATCH);
                for item in Parser::new_ext(body, options).into_offset_iter() {
                    batch.push(item);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if sender.send(full).is_err() {
                            return;
                        }
                    }
                }
                let _ = sender.send(batch);
            });
            let at = self.body_start;
            if parser.is_err() {
                // No thread to be had: the same events, read here.
                for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
                    self.event(&event, range.start + at, range.end + at, diagnostics);
                }
                return;
            }
            // Should the parser thread panic, the batches end early, and the scope then panics
            // as the parse would have on one thread: a cut-short runbook is never returned.
            for batch in batches {
                for (event, range) in batch {
                    self.event(&event, range.start + at, range.end + at, diagnostics);
                }
            }
        });
    }

    fn event(
        &mut self,
        event: &Event<'t>,
        start: usize,
        end: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if self.containers == 0 => {
                self.section().content_end = start;
                // The title is at most the heading's source text.
                let title = String::with_capacity(end - start);
                self.heading = Some((heading_level(*level), start, title));
                self.flush_pending(diagnostics);
            }
            Event::End(TagEnd::Heading(_)) if self.heading.is_some() && self.containers == 0 => {
                let (level, hstart, title) = self.heading.take().expect("checked above");
                let heading = Heading {
                    level,
                    title: collapse_whitespace(title),
                    span: self.index.span(hstart, end),
                };
                self.sections.push(Section::new(Some(heading), end));
                self.last_heading = Some((hstart, end));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                self.section().has_content = true;
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (info.clone(), true),
                    CodeBlockKind::Indented => (CowStr::Borrowed(""), false),
                };
                if bullet_item::makes_an_item(&info) {
                    self.promote_bullet_item(start);
                }
                self.code = Some(CodeBlock {
                    start,
                    info,
                    fenced,
                    // The code is at most the block's source text: no regrowth while collecting it.
                    code: String::with_capacity(end - start),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = self.code.take() {
                    self.finish_code_block(block, end, diagnostics);
                }
            }
            Event::Text(t) if self.code.is_some() => {
                if let Some(block) = self.code.as_mut() {
                    block.code.push_str(t);
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                self.html = Some((start, CowStr::Borrowed("")));
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((hstart, html)) = self.html.take() {
                    self.html_block(&html, hstart, diagnostics);
                }
            }
            Event::Html(t) if self.html.is_some() => {
                // Most blocks are one borrowed line: copied only when there is more than one.
                if let Some((_, html)) = self.html.as_mut() {
                    if html.is_empty() {
                        *html = t.clone();
                    } else {
                        let mut joined =
                            std::mem::replace(html, CowStr::Borrowed("")).into_string();
                        joined.push_str(t);
                        *html = joined.into();
                    }
                }
            }
            Event::InlineHtml(t) => {
                // A runbook comment inside a paragraph still speaks to this tool.
                self.comment(t, start, diagnostics);
            }
            Event::Start(Tag::List(first)) => {
                self.block_start(diagnostics);
                self.lists.push(first.is_some());
                self.containers += 1;
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
                self.containers = self.containers.saturating_sub(1);
            }
            Event::Start(Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)) => {
                self.block_start(diagnostics);
                self.containers += 1;
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                self.containers = self.containers.saturating_sub(1);
            }
            Event::Start(Tag::Item) => {
                let ordered = self.lists.last().copied().unwrap_or(false);
                // Under a heading that names a procedure, a top-level bullet list is one too.
                let procedure_bullet = self.lists.len() == 1
                    && self
                        .sections
                        .last()
                        .and_then(|s| s.heading.as_ref())
                        .is_some_and(|h| is_procedure_heading(&h.title));
                let inside_checklist = self.checklist_frame.is_some();
                let checklist = ((ordered || procedure_bullet) && !inside_checklist)
                    .then(|| self.new_checklist_item(start, None));
                if checklist.is_some() {
                    self.checklist_frame = Some(self.items.len());
                }
                self.items.push(ItemFrame {
                    start,
                    end,
                    checklist,
                    text: String::new(),
                    has_link: false,
                    has_plain_text: false,
                    task: false,
                    parent_checklist_frame: None,
                    children: 0,
                    depth: 0,
                    fallback: String::new(),
                    fallback_done: false,
                });
            }
            Event::TaskListMarker(checked) => {
                let Some(frame) = self.items.last() else {
                    return;
                };
                let innermost = self.items.len() - 1;
                let parent = self.checklist_frame.filter(|&i| i < innermost);
                let (frame_start, existing) = (frame.start, frame.checklist);
                let depth = parent.map_or(0, |p| self.items[p].depth + 1);
                let idx = match existing {
                    Some(i) => i,
                    // A task item nested in a checklist item is an item of its own (`3.1`).
                    None if depth <= MAX_CHECKLIST_DEPTH => {
                        let i = self.new_checklist_item(frame_start, parent);
                        if let Some(frame) = self.items.last_mut() {
                            frame.checklist = Some(i);
                            frame.task = true;
                            frame.parent_checklist_frame = parent;
                            frame.depth = depth;
                        }
                        self.checklist_frame = Some(innermost);
                        i
                    }
                    None => return,
                };
                self.section().checklist[idx].checked = *checked;
            }
            Event::End(TagEnd::Item) => {
                // A tight nested item has no paragraph: its end ends the fallback's one line too.
                if let Some(cf) = self.checklist_frame
                    && cf + 1 < self.items.len()
                    && !self.items[cf].fallback.trim().is_empty()
                {
                    self.items[cf].fallback_done = true;
                }
                if self.checklist_frame == Some(self.items.len().saturating_sub(1)) {
                    self.checklist_frame = self.items.last().and_then(|f| f.parent_checklist_frame);
                }
                if let Some(frame) = self.items.pop()
                    && let Some(i) = frame.checklist
                {
                    let checklist = &mut self.section().checklist;
                    // A reading-list entry is not something to confirm; dropped only when it is
                    // the last item so far (nothing nested was numbered after it).
                    let only_a_link = frame.has_link && !frame.has_plain_text && !frame.task;
                    if only_a_link && i + 1 == checklist.len() && checklist[i].commands.is_empty() {
                        if let Some(dropped) = checklist.pop()
                            && !dropped.number.contains('.')
                        {
                            self.section().top_items -= 1;
                        }
                    } else {
                        let own = collapse_whitespace(frame.text);
                        checklist[i].text = if own.is_empty() {
                            collapse_whitespace(frame.fallback)
                        } else {
                            own
                        };
                    }
                }
            }
            Event::Start(Tag::Link { .. }) => {
                if let Some(frame) = self.items.last_mut() {
                    frame.has_link = true;
                }
                self.links += 1;
            }
            Event::End(TagEnd::Link) => self.links = self.links.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if self.links == 0
                    && !t.trim().is_empty()
                    && let Some(frame) = self.items.last_mut()
                {
                    frame.has_plain_text = true;
                }
                self.inline_text(t);
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                if matches!(event, Event::End(TagEnd::Paragraph)) {
                    self.last_paragraph = Some((start, end));
                }
                self.inline_text(" ");
                // The fallback is one line: it ends with the first nested line that has text.
                if let Some(cf) = self.checklist_frame
                    && cf + 1 < self.items.len()
                    && !self.items[cf].fallback.trim().is_empty()
                {
                    self.items[cf].fallback_done = true;
                }
            }
            Event::Start(tag) if is_block(tag) => self.block_start(diagnostics),
            _ => {}
        }
    }

    fn block_start(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        if self.heading.is_none() {
            self.section().has_content = true;
        }
        self.flush_pending(diagnostics);
    }

    fn flush_pending(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        if let Some(pending) = self.pending.take() {
            orphan_comment(&pending, diagnostics);
        }
    }

    fn inline_text(&mut self, t: &str) {
        if let Some((_, _, title)) = self.heading.as_mut() {
            title.push_str(t);
        } else if let Some(frame) = self.items.last_mut()
            && frame.checklist.is_some()
        {
            if frame.text.capacity() == 0 {
                // The item's text is at most its source: one allocation, not one per inline.
                frame.text.reserve((frame.end - frame.start).min(512));
            }
            frame.text.push_str(t);
        } else if let Some(cf) = self.checklist_frame
            && let Some(frame) = self.items.get_mut(cf)
            && !frame.fallback_done
            && frame.fallback.len() < 512
        {
            frame.fallback.push_str(t);
        }
    }

    /// A new checklist item at `start`, nested in the item of frame `parent` if any.
    fn new_checklist_item(&mut self, start: usize, parent: Option<usize>) -> usize {
        let span = self.index.span(start, start);
        let number = match parent {
            Some(p) => {
                self.items[p].children += 1;
                let children = self.items[p].children;
                let of = self.items[p]
                    .checklist
                    .expect("a checklist frame holds an item");
                format!("{}.{children}", self.section().checklist[of].number)
            }
            None => {
                self.section().top_items += 1;
                self.section().top_items.to_string()
            }
        };
        let checklist = &mut self.section().checklist;
        checklist.push(ChecklistItem {
            index: checklist.len() + 1,
            number,
            text: String::new(),
            checked: false,
            span,
            commands: Vec::new(),
        });
        checklist.len() - 1
    }

    /// A code block at `start` in a bullet item outside any checklist item makes that item a
    /// checklist item, the block nested in it.
    fn promote_bullet_item(&mut self, start: usize) {
        if self.checklist_frame.is_some() {
            return;
        }
        let Some(innermost) = self.items.len().checked_sub(1) else {
            return;
        };
        let frame_start = self.items[innermost].start;
        let i = self.new_checklist_item(frame_start, None);
        let before = self.text.get(frame_start..start).unwrap_or("");
        let frame = &mut self.items[innermost];
        frame.checklist = Some(i);
        frame.text = bullet_item::text_before_block(before);
        self.checklist_frame = Some(innermost);
    }

    fn html_block(&mut self, html: &str, start: usize, diagnostics: &mut Vec<Diagnostic>) {
        if !is_only_comments(html) {
            self.section().has_content = true;
        }
        self.comment(html, start, diagnostics);
    }

    fn comment(&mut self, html: &str, start: usize, diagnostics: &mut Vec<Diagnostic>) {
        let Some((annotation, span)) =
            annotations::parse_comment(html, start, self.index, diagnostics)
        else {
            return;
        };
        match annotation {
            CommentAnnotation::Block(a) => {
                self.flush_pending(diagnostics);
                self.pending = Some(a);
            }
            CommentAnnotation::Step { id } => {
                let section = self.section();
                if section.heading.is_none() {
                    diagnostics.push(Diagnostic::warning(
                        DiagnosticCode::OrphanAnnotation,
                        span,
                        "a step annotation must sit under the heading of the step it names",
                    ));
                } else if let Some(id) = id {
                    section.step_id = Some(id);
                }
            }
        }
    }

    fn finish_code_block(
        &mut self,
        block: CodeBlock<'t>,
        end: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let fence_line = self.index.line_of(block.start);
        if block.fenced {
            self.check_fence_closed(&block, end, diagnostics);
        }
        let info_offset = {
            let line_start = self.index.line_start(fence_line).unwrap_or(block.start);
            let line = self.index.line_text(fence_line);
            let info_trimmed = block.info.trim();
            find(line, info_trimmed)
                .filter(|_| !info_trimmed.is_empty())
                .map_or(block.start, |i| line_start + i)
        };
        let info =
            annotations::parse_info_string(block.info.trim(), info_offset, self.index, diagnostics);
        info_command::check(block.info.trim(), info_offset, self.index, diagnostics);
        let mut ann = self.pending.take().unwrap_or_default();
        ann.merge(info.annotations);
        let lang = info.lang;
        if lang == "cloudwatch" {
            // A lookup, not a command: read-only, run when the step is shown.
            let place = lookup_block::BlockPlace {
                first_line: if block.fenced {
                    fence_line + 1
                } else {
                    fence_line
                },
                span: self.index.span(block.start, end),
                index: self.index,
            };
            let parsed = lookup_block::parse(&block.code, &place, diagnostics);
            let section = self
                .sections
                .last_mut()
                .expect("the preamble section always exists");
            section.blocks += 1;
            if let Some(mut lookup) = parsed {
                lookup.index = section.lookups.len() + 1;
                section.lookups.push(lookup);
            }
            return;
        }
        let owner = self.checklist_frame.and_then(|i| self.items[i].checklist);
        let intro = self
            .last_paragraph
            .and_then(|(s, e)| classify::paragraph_before(self.text, s, e, block.start))
            // An unlabelled block right under "## What healthy looks like" is sample output; a
            // labelled one under "## Check the output" is still what its label says.
            .or_else(|| {
                let (s, e) = self.last_heading.filter(|_| lang.is_empty())?;
                classify::paragraph_before(self.text, s, e, block.start)
            });
        let plan = classify::classify(&lang, &block.code, ann.runner.is_some(), intro);
        let index = self.index;
        let section = self
            .sections
            .last_mut()
            .expect("the preamble section always exists");
        let block_no = section.blocks;
        section.blocks += 1;
        let code_first_line = if block.fenced {
            fence_line + 1
        } else {
            fence_line
        };
        // Where a line of the block starts in the file, at its first non-blank character.
        let line_pos = |k: usize| {
            let line = code_first_line + k;
            let src = index.line_text(line);
            // Past the indentation and quote marks of the containers the block is in.
            let col = src.len() - src.trim_start_matches([' ', '\t', '>']).len();
            index.line_start(line).map_or(block.start, |s| s + col)
        };
        for finding in &plan.findings {
            let pos = line_pos(finding.line);
            let span = index.span(pos, pos + 1);
            diagnostics.push(match finding.code {
                DiagnosticCode::UnlabelledShell => {
                    Diagnostic::info(finding.code, span, finding.message)
                }
                _ => Diagnostic::warning(finding.code, span, finding.message),
            });
        }
        // Straight into the section, numbered as they go: a runbook has thousands of blocks.
        let mut push = |mut command: Command| {
            command.index = section.commands.len() + 1;
            statements::finish(&mut command);
            if let Some(i) = owner {
                command.checklist_item = Some(i + 1);
                section.checklist[i].commands.push(command.index);
            }
            section.commands.push(command);
        };
        let count = plan.pieces.len();
        let many = count > 1;
        let mut whole_code = Some(block.code);
        for (k, piece) in plan.pieces.into_iter().enumerate() {
            // The last piece takes the block's own annotations: no copy.
            let mut a = if k + 1 == count {
                std::mem::take(&mut ann)
            } else {
                ann.clone()
            };
            if many && k > 0 {
                a.name = a.name.map(|n| format!("{n}-{}", k + 1));
            }
            let base = Command {
                index: 0,
                lang: lang.clone(),
                code: String::new(),
                span: index.span(block.start, end),
                kind: piece.kind,
                runnable: piece.runnable,
                annotations: a,
                expected_output: piece.expected_output,
                block: block_no,
                checklist_item: None,
                uses: Vec::new(),
                guessed: piece.guessed,
                place: piece.place,
                program: piece.program,
                label: None,
                interactive: false,
                placeholders: Vec::new(),
            };
            if let Some(line) = piece.line {
                let pos = line_pos(line);
                push(Command {
                    code: piece.code.into_owned(),
                    span: index.span(pos, pos + 1),
                    ..base
                });
                continue;
            }
            let code = whole_code.take().unwrap_or_default();
            // A shell script is one command per statement, unless it must run as one shell.
            let script = base.kind == crate::runbook::CommandKind::Script
                && base.runnable
                && base.annotations.runner.is_none();
            let parts = if script {
                statements::parts(&code)
            } else {
                Vec::new()
            };
            if parts.len() > 1 && !base.annotations.whole && !statements::one_shell(&code, &parts) {
                for (j, part) in parts.into_iter().enumerate() {
                    let pos = statements::file_offset(
                        index,
                        &code,
                        code_first_line,
                        part.range.start,
                        block.start,
                    );
                    let mut command = base.clone();
                    if j > 0 {
                        command.annotations.name =
                            command.annotations.name.map(|n| format!("{n}-{}", j + 1));
                    }
                    command.code = code[part.range].to_string();
                    command.span = index.span(pos, pos + 1);
                    command.label = part.label;
                    push(command);
                }
                continue;
            }
            // One statement (or one shell by request): the block as written, labelled if it says.
            let label = match parts.as_slice() {
                [part] => part.label.clone(),
                _ => None,
            };
            push(Command {
                code,
                label,
                ..base
            });
        }
    }

    /// pulldown-cmark quietly ends an unclosed fence at the end of its container; an operator must hear of it.
    fn check_fence_closed(
        &self,
        block: &CodeBlock<'_>,
        end: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let open = self.text[block.start..].trim_start_matches([' ', '>', '\t']);
        let fence_char = open.chars().next().unwrap_or('`');
        let fence_len = open.chars().take_while(|&c| c == fence_char).count();
        let inner = self.text[block.start..end].trim_end_matches(['\n', '\r', ' ', '\t']);
        let last_line = inner.rsplit('\n').next().unwrap_or("");
        let last = last_line.trim_start_matches([' ', '>', '\t']).trim_end();
        let closing_len = last.chars().take_while(|&c| c == fence_char).count();
        let closed = inner.contains('\n')
            && closing_len >= fence_len
            && last.chars().all(|c| c == fence_char);
        if !closed {
            // A warning, not an error: CommonMark defines where such a block ends, and real
            // runbooks have them; the message says how much of the file the block swallowed.
            let swallowed = self.text[block.start..end].trim_end();
            let last_line = self
                .index
                .line_of(block.start + swallowed.len().saturating_sub(1))
                + 1;
            diagnostics.push(Diagnostic::warning(
                DiagnosticCode::UnterminatedFence,
                self.index.span(block.start, block.start + fence_len),
                format!(
                    "code block is never closed, so lines up to {last_line} are code: add a line {} where it ends",
                    fence_char.to_string().repeat(fence_len)
                ),
            ));
        }
    }
}

/// `events.next()`, kept out of line on purpose: inlined, its result is built field by field and
/// then copied whole into the loop's variable, a wide load of narrow stores that stalls the CPU
/// (measured: a sixth of the walker's own time). Returned from a call, it is read where it lies.
#[inline(never)]
fn orphan_comment(pending: &Annotations, diagnostics: &mut Vec<Diagnostic>) {
    if let Some(span) = pending.span {
        diagnostics.push(Diagnostic::warning(
            DiagnosticCode::OrphanAnnotation,
            span,
            "this annotation comment is not followed by a code block, so it applies to nothing",
        ));
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph | Tag::Table(_) | Tag::DefinitionList | Tag::MetadataBlock(_)
    )
}

fn is_only_comments(html: &str) -> bool {
    let mut rest = html.trim();
    while let Some(after) = rest.strip_prefix("<!--") {
        match find_comment_end(after) {
            Some(end) => rest = after[end + 3..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

/// `haystack.find(needle)`: the same answer, but for the short lines searched here std's
/// two-way searcher (and memchr's `memmem`) costs more to set up than this plain scan takes.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return Some(0);
    };
    memchr::memchr_iter(first, h).find(|&i| h[i..].starts_with(n))
}

/// Where the first `-->` starts.
fn find_comment_end(html: &str) -> Option<usize> {
    find(html, "-->")
}

/// Headings whose bullet lists are procedures to confirm item by item.
const PROCEDURE_HEADINGS: [&str; 4] = ["checklist", "steps", "procedure", "instructions"];

fn is_procedure_heading(title: &str) -> bool {
    let title = title.trim().trim_end_matches(':').trim_end();
    PROCEDURE_HEADINGS
        .iter()
        .any(|name| title.eq_ignore_ascii_case(name))
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Runs of whitespace become one space, and none at either end.
fn collapse_whitespace(mut s: String) -> String {
    // Usually only a trailing space needs to go (a paragraph's end adds one): reuse the string then.
    s.truncate(s.trim_end().len());
    // Collapsed already when every space follows a non-space and there is no other whitespace.
    // Checked over bytes; text with non-ASCII characters takes the general path below.
    let bytes = s.as_bytes();
    let collapsed = bytes.iter().enumerate().all(|(i, &b)| match b {
        b' ' => i > 0 && bytes[i - 1] != b' ',
        b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => false,
        _ => b.is_ascii(),
    });
    if collapsed {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests;
