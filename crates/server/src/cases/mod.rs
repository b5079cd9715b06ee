//! The desk's workflow over HTTP: linking an item to a fact-check, opening cases, moving
//! them, assigning, notes, evidence, the verdict editor, and adding a published fact-check.
//! HTML forms ([`pages`]) and JSON API ([`api`]) mirror each other and share the operations
//! ([`ops`]) over the types of [`views`]; every change goes through the store, which checks
//! the role and the workflow and writes the audit trail. The pages only hide buttons the
//! user could not use.

pub(crate) mod api;
pub(crate) mod ops;
pub(crate) mod pages;
pub(crate) mod views;
