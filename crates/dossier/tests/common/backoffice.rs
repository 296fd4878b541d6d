//! A back-office user's browser without JavaScript, for HTTP tests: its own session cookie, no
//! redirects followed, forms posted from our origin with the page's CSRF token.
#![allow(dead_code)]

use reqwest::header::{HeaderMap, HeaderValue};

use super::TestServer;

/// The back-office's session cookie.
pub const COOKIE: &str = "dossier_session";

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the page's first hidden `_csrf` input.
    pub fn csrf(&self) -> String {
        let at = self
            .text
            .find("name=\"_csrf\" value=\"")
            .unwrap_or_else(|| panic!("a CSRF field in\n{}", self.text))
            + 20;
        self.text[at..].split('"').next().unwrap().to_string()
    }

    /// The session cookie this answer set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers.get_all("set-cookie").iter().find_map(|c| {
            c.to_str()
                .ok()?
                .strip_prefix(&format!("{COOKIE}="))
                .map(|v| v.split(';').next().unwrap().to_string())
        })
    }
}

impl TestServer {
    /// Creates a user with `dossier user create` and returns the printed password.
    pub fn user(&self, email: &str, role: &str, workspace: Option<&str>) -> String {
        self.named_user(email, None, role, workspace)
    }

    /// As [`TestServer::user`], with the name the pages show the user by.
    pub fn named_user(
        &self,
        email: &str,
        name: Option<&str>,
        role: &str,
        workspace: Option<&str>,
    ) -> String {
        let mut args = vec!["user", "create", "--email", email, "--role", role];
        if let Some(ws) = workspace {
            args.extend(["--workspace", ws]);
        }
        if let Some(name) = name {
            args.extend(["--name", name]);
        }
        let out = self.cli(&args);
        assert!(
            out.status.success(),
            "user create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        stdout
            .split_whitespace()
            .last()
            .expect("a password")
            .to_string()
    }

    /// A new user of `role` (in the default workspace), signed in.
    pub async fn analyst(&self, email: &str, role: &str) -> Analyst {
        let password = self.user(email, role, None);
        let mut a = Analyst::new(self);
        let page = a.sign_in(email, &password).await;
        assert_eq!(page.status, 303, "sign-in of {email}: {}", page.text);
        a
    }
}

pub struct Analyst {
    http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
    /// The CSRF token of the last page that had one.
    pub csrf: Option<String>,
}

impl Analyst {
    pub fn new(srv: &TestServer) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: srv.base.clone(),
            cookie: None,
            csrf: None,
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = match &self.cookie {
            Some(c) => req.header("cookie", format!("{COOKIE}={c}")),
            None => req,
        };
        let resp = req.send().await.expect("request sent");
        let headers = resp.headers().clone();
        let page = Page {
            status: resp.status().as_u16(),
            headers,
            text: resp.text().await.unwrap_or_default(),
        };
        if let Some(c) = page.session_cookie() {
            self.cookie = Some(c).filter(|c| !c.is_empty());
        }
        if page.text.contains("name=\"_csrf\" value=\"") {
            self.csrf = Some(page.csrf());
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// Signs in with the form, as a browser on our origin.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.post_raw(
            "/login",
            &[("email", email), ("password", password)],
            Some(&self.base.clone()),
        )
        .await
    }

    /// A form post from our origin with the session's CSRF token (read from the last page, or
    /// from `/cases` when no page was read yet).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        if self.csrf.is_none() {
            self.get("/cases").await;
        }
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        let origin = self.base.clone();
        self.post_raw(path, &all, Some(&origin)).await
    }

    /// A form post exactly as given: the caller picks the fields (with or without `_csrf`) and
    /// the `Origin` header.
    pub async fn post_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Page {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap());
        if let Some(o) = origin {
            req = req.header("origin", HeaderValue::from_str(o).unwrap());
        }
        self.send(req).await
    }
}
