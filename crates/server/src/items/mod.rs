//! The queue and the items: reading them ([`load`]), the JSON API ([`api`]) and the pages
//! ([`pages`]).

pub(crate) mod api;
pub(crate) mod load;
pub(crate) mod pages;
