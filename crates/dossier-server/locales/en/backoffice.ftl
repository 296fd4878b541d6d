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
bo-first-approval = First approval given by { $who }; a second, different person must approve.
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
