//! Views: each renders its props and reports what the user did through typed
//! callbacks. None of them calls the API.

pub mod call_table;
pub mod click_to_call;
pub mod contact_table;
pub mod deals;
pub mod header;
pub mod headset;
pub mod notes;
pub mod pager;
pub mod softphone;
pub mod status;
pub mod tasks;
pub mod wrap_up;
