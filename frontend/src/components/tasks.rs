//! A contact's tasks, open ones first.

use callcard_shared::api::Task;
use yew::prelude::*;

use crate::format::date;
use crate::i18n::{t, tr, use_lang};

#[derive(Properties, PartialEq)]
pub struct TaskListProps {
    pub tasks: Vec<Task>,
}

#[component]
pub fn TaskList(props: &TaskListProps) -> Html {
    use_lang();
    let mut tasks: Vec<&Task> = props.tasks.iter().collect();
    tasks.sort_by_key(|t| t.done);
    let items = tasks.into_iter().map(|t| {
        html! {
            <li class={classes!("task", t.done.then_some("done"))} key={t.id}>
                <span class="task-check" aria-hidden="true">{ if t.done { "✓" } else { "○" } }</span>
                <span class="task-title">{ t.title.clone() }</span>
                if let Some(due) = &t.due_at {
                    <span class="muted small">{ tr("tasks-due", &[("date", date(due).into())]) }</span>
                }
            </li>
        }
    });
    html! {
        <>
            <ul id="contact-tasks" class="task-list">{ for items }</ul>
            if props.tasks.is_empty() {
                <p class="empty-inline">{ t("tasks-empty") }</p>
            }
        </>
    }
}
