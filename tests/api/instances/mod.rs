//! The instances API: create, read, update, delete, and who may see what.

mod create;
mod delete;
mod ownership;
mod reads;
mod update;

use serde_json::Value;

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}
