//! The web kit shared by the server-rendered surfaces (the client portal, the back-office).

pub mod security;
