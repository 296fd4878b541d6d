# The back-office: the analysts' pages.

## Frame

bo-nav-label = Main
bo-nav-cases = Cases
bo-nav-tasks = Tasks
bo-nav-dashboard = Dashboard
bo-nav-settings = Settings
bo-account = Your account
bo-logout = Sign out
user-role-admin = Admin
user-role-qualified_reviewer = Qualified reviewer
user-role-reviewer = Reviewer
user-role-read_only = Read-only
user-role-automation = Automation
user-role-client = Client
bo-status-400 = The request could not be read
bo-status-401 = Please sign in
bo-status-403 = Not allowed
bo-status-404 = Not found
bo-status-409 = This was changed in the meantime
bo-status-410 = No longer available
bo-status-413 = Too large
bo-status-415 = Not accepted
bo-status-422 = Check what you entered
bo-status-429 = Too many attempts
bo-status-500 = Something went wrong
error-forged = This form did not come from our pages, or it is too old. Go back, reload the page and try again.

## Sign-in

bo-login-title = Sign in to Dossier
bo-login-email = E-mail address
bo-login-password = Password
bo-login-submit = Sign in
bo-login-oidc = Sign in with { $name }
bo-login-failed = The e-mail address or the password is not right.
bo-login-locked =
    Too many failed attempts. Please wait { $retry_after ->
        [one] one second
       *[other] { $retry_after } seconds
    } and try again.

## Password

bo-password-title = Change your password
bo-password-forced = Choose your own password before you go on.
bo-password-current = Current password
bo-password-new = New password
bo-password-hint = At least 12 characters. Avoid common passwords: a few unrelated words make a good one.
bo-password-repeat = New password again
bo-password-submit = Change password
error-field-password_short = This password is too short.
error-field-password_common = This password is one of the most common ones. Choose another.
error-field-password_wrong = This is not your current password.
error-field-password_same = The new password must differ from the current one.
error-field-password_mismatch = The two new passwords are not the same.

## Notices after an action

bo-done-password = Your password is changed.
bo-done-decided = The decision is recorded.
bo-done-profile = The profile is saved.
bo-done-custom_fields = The custom fields are saved.
bo-done-document = The document's review is saved.
bo-done-task_run = The task was run again.
bo-done-task_cleared = The task is cleared.
bo-done-hit = The screening hit is reviewed.
bo-done-risk = The risk adjustment is recorded.
bo-done-request = The request is sent to the client's portal.

## Case list

bo-cases-title = Cases
bo-cases-filters = Filter the cases
bo-cases-none = No case matches.
bo-any = Any
bo-filter = Filter
bo-next-page = Next page
bo-col-name = Name
bo-col-updated = Updated
bo-field-status_review = Review
bo-field-status_execution = Progress
bo-field-risk_level = Risk
status-review-pending = Pending
status-review-approved = Approved
status-review-rejected = Rejected
status-execution-in_progress = In progress
status-execution-waiting_for_user_input = Waiting for input
status-execution-failed = Failed
status-execution-done = Checks done
risk-low = Low
risk-medium = Medium
risk-high = High

## Case page

bo-risk-badge = Risk { $level } ({ $score })
bo-profile = Profile
bo-external-id = External id
bo-template = Workflow
bo-subject-name = Name
bo-subject-registration_number = Registration number
bo-subject-country = Country
bo-subject-legal_form = Legal form
bo-subject-incorporation_date = Incorporated on
bo-subject-website = Website
bo-subject-industry = Industry
bo-subject-email = E-mail
bo-subject-phone = Phone
bo-subject-first_name = First name
bo-subject-last_name = Last name
bo-subject-birth_date = Date of birth
bo-subject-nationality = Nationality
bo-subject-country_of_residence = Country of residence
bo-tasks = Tasks
bo-none = None.
task-result-pending = Pending
task-result-clear = Clear
task-result-consider = To consider
task-result-needs_action = Needs action
task-result-alert = Alert
task-result-error = Error
bo-decision = Decision
bo-decided = { $status } on { $at }.
bo-reserved = Only a qualified reviewer may decide this case:
bo-four-eyes = An approval needs two different people (four eyes).
bo-first-approval = First approval by { $who } on { $at }: a second, different person must approve.
bo-decision-refused = This decision is not allowed
bo-decision-choice = Your decision
bo-approve = Approve
bo-reject = Reject
bo-decision-reason = Reason
bo-decision-submit = Record the decision
bo-timeline = Timeline
actor-user = User
actor-api_key = API key
actor-portal = Client portal
actor-system = System
actor-cli = Command line
actor-oidc = Identity provider

## Case page: header and profile

bo-next-case = Next case
bo-jump-decision = Go to the decision
bo-shortcuts = Keyboard shortcuts
bo-edit = Edit
bo-created = Created on
bo-empty = Not given
bo-custom-fields = Custom fields
bo-custom-fields-none = This workspace has no custom fields for cases.
bo-edit-title = Edit { $name }
bo-save-profile = Save the profile
bo-save-custom-fields = Save the custom fields
bo-read-only = Your role can look at this case, not change it.

## Case page: relationships

bo-relationships = People and companies
bo-ownership-hint = Effective ownership is computed through every chain of holdings, as the UBO check sees it.
bo-kind-person = Person
bo-kind-business = Company
bo-ownership-direct = holds { $percent }% directly
bo-ownership-effective = { $percent }% effective
bo-ownership-paths = Chains of ownership of { $name }
bo-ownership-cycles =
    { $count ->
        [one] One cross-holding was cut
       *[other] { $count } cross-holdings were cut
    }: figures count each chain once. Check the chart.
bo-ownership-truncated = The chart has too many chains: the figures are lower bounds.

## Case page: documents

bo-documents = Documents
bo-documents-none = No document yet.
bo-doc-status-unset = Not reviewed
bo-doc-status-valid = Valid
bo-doc-status-invalid = Invalid
bo-size-kb = { $size } KB
bo-uploaded = sent on { $at } by { $who }
bo-doc-invalid-because = Invalid: { $reason }.
bo-preview = Preview
bo-preview-of = { $document } of { $whose }
bo-download = Download
bo-doc-mark = Mark the document
bo-doc-valid = Valid
bo-doc-invalid = Invalid
bo-doc-reason = Why it is invalid
bo-doc-reason-hint = Only for an invalid document.
bo-doc-submit = Save the review
bo-doc-reason-expired = Expired
bo-doc-reason-unreadable = Unreadable
bo-doc-reason-incomplete = Incomplete
bo-doc-reason-name_mismatch = The name does not match
bo-doc-reason-birth_date_mismatch = The date of birth does not match
bo-doc-reason-suspected_forgery = Suspected forgery
bo-doc-reason-wrong_document_type = Not the document asked for
bo-doc-reason-too_old = Too old
bo-doc-reason-address_mismatch = The address does not match
bo-doc-reason-unaccepted_issuer = Issuer not accepted
bo-doc-reason-face_mismatch = The face does not match
bo-doc-reason-registration_number_mismatch = The registration number does not match
bo-doc-reason-company_dissolved = The company is dissolved
bo-doc-reason-outdated = Not up to date
bo-doc-reason-unsigned = Not signed
bo-doc-reason-ubo_mismatch = The beneficial owners do not match
bo-doc-reason-ownership_mismatch = The ownership does not match
bo-doc-reason-signatory_mismatch = The signatory does not match
bo-doc-reason-insufficient_powers = Insufficient powers
bo-doc-reason-holder_mismatch = The account holder does not match
bo-doc-reason-iban_mismatch = The IBAN does not match
bo-doc-reason-activity_mismatch = The activity does not match
bo-doc-reason-revoked = Revoked
bo-doc-reason-insufficient = Not sufficient
bo-doc-reason-inconsistent = Inconsistent
bo-doc-reason-irrelevant = Not relevant

## Case page: tasks

bo-task-stale = Out of date
bo-task-inactive = Not active
bo-findings = Findings of { $task }
bo-task-cleared-by = Cleared by { $who } on { $at }:
bo-evidence = Evidence
bo-task-run = Run again
bo-task-clear-comment = Why you clear it
bo-task-clear = Clear the task

## Case page: screening

bo-screening = Screening hits
bo-hits-none = No hit.
bo-hit-status-unreviewed = To review
bo-hit-status-false_positive = Dismissed
bo-hit-status-true_positive = Confirmed
bo-hit-status-withdrawn = Withdrawn
bo-hit-score = Score { $score }
bo-hit-remembered = Remembered false positive
bo-hit-remembered-hint = This entry will not be raised again for this party while its record on the list stays the same.
bo-hit-held = A later screening kept it dismissed.
bo-hit-compare = { $party } compared with the list entry
bo-hit-party = The party of the case
bo-hit-entry = The list entry ({ $list })
bo-hit-names = Names
bo-hit-birth = Date of birth
bo-hit-countries = Nationality and countries
bo-hit-programme = Programme
bo-hit-topics = Topics
bo-hit-source = List and entry
bo-hit-why = Why the score is { $score }
bo-hit-matched = “{ $query }” matched “{ $matched }”.
bo-hit-features = What made the score
bo-hit-feature = Feature
bo-hit-contribution = Contribution
bo-hit-detail = Detail
bo-hit-tokens = Words compared
bo-hit-unmatched = Words of the case without a match: { $words }.
bo-hit-reviewed = { $status } by { $who } on { $at }:
bo-hit-decide = Is it the same party?
bo-hit-confirm = Confirm: it is the same party
bo-hit-dismiss = Dismiss: a false positive
bo-hit-comment = Comment
bo-hit-submit = Save the review
bo-feature-name = Name
bo-feature-legal_form = Legal form
bo-feature-weak_alias = Weak alias
bo-feature-birth_date = Date of birth
bo-feature-country = Country
bo-feature-schema = Kind of entity
bo-token-exact = exact
bo-token-fuzzy = spelling
bo-token-phonetic = sound
bo-token-transliteration = transliteration
bo-token-initial = initial
bo-token-joined = joined words
bo-token-nickname = nickname
bo-topic-sanction = Sanctions
bo-topic-role-pep = Politically exposed person

## Case page: risk

bo-risk = Risk
bo-risk-none = The risk is not assessed yet.
bo-risk-score = Score { $score }
bo-risk-floor = Level at least { $level } by rule { $rule } (the score alone gave { $score_level }).
bo-risk-errors = Rules that could not be evaluated: { $rules }. The score may be too low.
bo-risk-explanation = How the score is made
bo-risk-rule = Rule
bo-risk-outcome = Outcome
bo-risk-points = Points
bo-risk-total = Total
bo-rule-fired = Applies
bo-rule-not_fired = Does not apply
bo-rule-error = Could not be evaluated
bo-risk-adjustments = Manual adjustments
bo-risk-history = History of the risk
bo-when = When
bo-risk-cause = Cause
bo-risk-adjust = Adjust the score
bo-risk-adjust-points = Points
bo-risk-adjust-hint = A whole number: 10 adds, -10 takes away.
bo-risk-adjust-reason = Reason
bo-risk-adjust-submit = Adjust the risk

## Case page: decision

bo-decided-by = by { $who } on { $at }.
bo-first-approval-was = First approval by { $who } on { $at } (four eyes).
bo-first-approval-mine = You gave the first approval: someone else must give the second.
bo-decided-overriding = Decided before every task was done.
bo-decided-automatically = Decided automatically by the rule { $rule }.
bo-decision-override = Decide although tasks are not done
bo-decision-override-hint = Only a qualified reviewer may, and the decision says so.

## Case page: requests to the client

bo-request = Information from the client
bo-collect-none = Nothing was asked of the client yet.
bo-collect-opened = Open
bo-collect-closed = Answered or closed
bo-collect-submitted = Answered
bo-collect-active = Open
bo-collect-expires = The link works until { $at }.
bo-round = Request { $round }, { $at }, by { $who }
bo-request-open = Ask the client for information
bo-request-title = Ask for information: { $name }
bo-request-ask = What to ask for
bo-request-reopen-hint = A request is open: sending this one replaces it with a new round and a new link (the old link stops working).
bo-request-steps = Steps of the portal
bo-request-documents = Documents
bo-request-replace = Replace the invalid { $document } of { $whose }
bo-request-missing = { $document } of { $whose } (missing)
bo-request-other = Another document
bo-request-message = Message to the client
bo-request-message-hint = Shown at the top of the client's portal.
bo-request-reason = Why you ask for the documents
bo-request-reason-hint = Shown to the client beside each document asked.
bo-request-note = Internal note
bo-request-note-hint = For the team only: never shown to the client.
bo-request-email = Client's e-mail address
bo-request-email-hint = When given, the client confirms it with a one-time code before seeing the case.
bo-request-submit = Send the request
bo-request-link = The link for the client
bo-request-link-once = Copy it now and send it to the client: it is shown only once (it is also in the collect.opened event).
bo-request-link-label = Link
bo-back-to-case = Back to the case
bo-request-history = Requests so far
bo-round-steps = Steps:
bo-round-message = Message:
bo-round-note = Note:
bo-round-open = Waiting for the client
bo-round-closed = Closed on { $at }
bo-round-returned = { $documents } document(s) sent; changed: { $changed }

## Case page: timeline

bo-action-application-created = Case created
bo-action-application-updated = Case changed
bo-action-application-submitted = Submitted by the client
bo-action-application-decided = Decision
bo-action-first_approval = First approval (four eyes)
bo-action-application-evaluated = Checks evaluated again
bo-action-document-created = Document added
bo-action-document-updated = Document reviewed
bo-action-document-deleted = Document deleted
bo-action-relationship-created = Party added
bo-action-relationship-updated = Party changed
bo-action-relationship-deleted = Party removed
bo-action-task-run = Task run again
bo-action-task-cleared = Task cleared
bo-action-risk-adjusted = Risk adjusted
bo-action-screening_hit-reviewed = Screening hit reviewed
bo-action-screening-completed = Screened
bo-action-screening-rescreened = Screened again after a list update
bo-action-collect-opened = Information asked of the client
bo-action-collect-reopened = Information asked again
bo-action-collect-closed = Request closed
bo-action-portal-created = Portal created
bo-action-portal-closed = Portal closed
bo-action-portal-link_renewed = Portal link renewed
bo-action-application-assigned = Assigned
bo-action-application-tagged = Tag added
bo-action-application-untagged = Tag removed
bo-action-comment-created = Internal comment

## Keyboard shortcuts

bo-key-help = Show this list
bo-key-approve = Choose to approve, then write the reason
bo-key-reject = Choose to reject, then write the reason
bo-key-submit = Send the form you are writing in
bo-key-next = Next case waiting for a decision
bo-key-edit = Edit the profile
bo-key-request = Ask the client for information
bo-key-close = Close this list
bo-close = Close

## Case list: views, search, bulk actions

bo-views = Views
bo-view-mine_or_unassigned = Mine and unassigned
bo-view-mine = Mine
bo-view-none = Unassigned
bo-view-any = All cases
bo-search = Search
bo-search-hint = Name, registration number, external id or a person's name.
bo-more-filters = More filters
bo-field-tag = Tag
bo-field-created_from = Created from
bo-field-created_to = Created until
bo-field-updated_from = Updated from
bo-field-updated_to = Updated until
bo-field-waiting = Only cases waiting on their client
bo-cases-count = { $count ->
        [one] One case
       *[other] { $count } cases
    }
bo-cases-count-more = More than { $count } cases
bo-sorted-asc = sorted ascending
bo-sorted-desc = sorted descending
bo-select = Select
bo-select-case = Select { $name }
bo-col-assignee = Assignee
bo-unassigned = Unassigned
bo-waiting-client = Waiting on client
bo-bulk = With the selected cases
bo-assign-me = Me
bo-assign = Assign
bo-tag = Add tag
bo-untag = Remove tag
bo-pages = Pages
bo-prev-page = Previous page
bo-page-of = Page { $page } of { $pages }
bo-page = Page { $page }
bo-done-assigned = The cases are assigned.
bo-done-tagged = The tag is added.
bo-done-untagged = The tag is removed.

## Dashboard and tasks inbox

bo-dashboard-title = Dashboard
bo-dash-waiting-decision = Waiting for a decision
bo-dash-on-us = Waiting on us
bo-dash-on-client = Waiting on the client
bo-dash-open-tasks = Tasks needing action
bo-dash-longest = longest { $wait }
bo-dash-mean = mean { $wait }
bo-dash-oldest = Oldest cases waiting for a decision
bo-dash-since = since { $at }
bo-dash-by-status = Cases by status and risk
bo-dash-cases = Cases
bo-dash-decisions = Decisions per week
bo-dash-chart-desc = Approved and rejected cases for each of the last twelve weeks; the same figures are in the table below.
bo-dash-as-table = As a table
bo-dash-week = Week
bo-tasks-title = Tasks
bo-tasks-count = { $count ->
        [one] One task needs action
       *[other] { $count } tasks need action
    }
bo-tasks-none = No task needs action.
bo-col-task = Task
bo-col-case = Case
bo-col-result = Result
bo-col-waited = Waiting for
bo-col-waits-on = Waits on
bo-waits-on-us = Us
bo-waits-on-client = The client

## The case's team panel: assignment, tags, internal comments

bo-team = Assignment and tags
bo-assigned-you = You
bo-assign-to = Assign to
bo-tags = Tags
bo-tags-none = No tags.
bo-tag-new = New tag
bo-comments = Internal comments
bo-comments-hint = Only your team reads these; the client never sees them.
bo-comments-none = No comments yet.
bo-comment-new = Your comment
bo-comment-submit = Add the comment
bo-done-assigned_case = The case's assignee is saved.
bo-done-commented = The comment is added.
bo-done-first_approval = Your approval is recorded as the first: a second, different person must approve too.

# A person's own words (a comment, a reason), quoted as the language quotes.
bo-quoted = “{ $text }”

## The decision policy's refusals, by code

error-decision-not_allowed = Your role cannot decide cases.
error-decision-reason_required = A decision needs a reason: write it in the box below.
error-decision-already_decided = The case has already been decided; it must be reopened before it is decided again.
error-decision-tasks_not_done = The case's tasks are not done: only a qualified reviewer may decide before they are.
error-decision-tasks_not_done-qualified = The case's tasks are not done. To decide anyway, tick “Decide although tasks are not done”: the decision will say so.
error-decision-reserved_for_qualified_reviewer = This case is reserved for qualified reviewers (see why above): ask one to decide it.
error-decision-same_approver = Four eyes: the second approval must come from someone else than the first.
bo-dash-no-decisions = No decisions in these weeks yet.
