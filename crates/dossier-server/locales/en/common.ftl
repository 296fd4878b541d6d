# The web kit's messages: the page frame, form controls, the session warning and the error codes
# of the application layer (error-<code>, a `.` of the code written `-`). Every language has the
# same ids.

language-name = English

## Page frame

skip-to-content = Skip to content
brand-logo = Logo
language-label = Language
language-submit = Change language
support-line = Questions? Write to
page-failed-title = Sorry, there is a problem
page-failed-body = This page could not be shown. Please try again in a few minutes.

## Forms

field-optional = (optional)
error-prefix = Error:
error-summary-title = There is a problem
steps-label = Progress
step-done = completed
upload-progress = Uploading: { $percent }%

## Session

session-warning = Your session will end in two minutes because nothing has happened for a while.
session-extend = Stay signed in
session-extended = You are still signed in.
session-expired = Your session has ended. Open your link again to continue.

## Errors of the application layer, by code

error-bad_request = The request could not be read. Please try again.
error-unreadable_body = What was sent could not be read. Please try again.
error-unreadable_multipart = The upload could not be read. Please try again.
error-unauthorized = You are not signed in, or your session has ended.
error-forbidden = You are not allowed to do this.
error-read_only = You can look at this, but not change it.
error-not_found = This page or item does not exist, or is no longer available.
error-conflict = This was changed in the meantime. Reload the page and try again.
error-payload_too_large = This is too large: the limit is { $limit } bytes.
error-unsupported_media_type = This kind of file is not accepted.
error-document_type_refused = This kind of file is not accepted.
error-validation = Some answers need your attention.
error-rate_limited =
    Too many attempts. Please wait { $retry_after ->
        [one] one second
       *[other] { $retry_after } seconds
    } and try again.
error-internal = Something went wrong on our side. Please try again later.

## Errors of one field, by code

error-field-invalid = Check this answer: { $detail }
error-field-required = Enter this information.
error-field-too_long = This answer is too long.
