//! Talking to the relay's REST API. Only pages and the app shell call these;
//! components get data through props.

pub mod admin;
pub mod api;
pub mod download;
pub mod error;
pub mod url;
