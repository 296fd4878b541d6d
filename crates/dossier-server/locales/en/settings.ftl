# The back-office's settings (admins), its dashboard and its tasks inbox.

## Settings frame

bo-settings-title = Settings
bo-settings-nav-label = Settings sections
bo-settings-section-users = Users
bo-settings-section-users-text = Who signs in to the back-office, with which role; invite, change a role, deactivate, reset a password.
bo-settings-section-api-keys = API keys
bo-settings-section-api-keys-text = Keys for your integrations, each with a role. A key is shown once, when it is created.
bo-settings-section-webhooks = Webhooks
bo-settings-section-webhooks-text = The endpoints that receive events, with the log of every delivery and its replay.
bo-settings-section-custom-fields = Custom fields
bo-settings-section-custom-fields-text = Your own fields on cases and related parties, usable in rules and in the portal.
bo-settings-section-templates = Templates and risk matrix
bo-settings-section-templates-text = The workflows: documents, tasks, risk rules and the decision policy, edited as JSON.
bo-settings-section-branding = Branding
bo-settings-section-branding-text = How your portals look to your clients: name, logo, colour and themes, with a preview.
bo-settings-section-watchlists = Watchlists
bo-settings-section-watchlists-text = The sanctions and PEP lists screening uses, and every version imported.
bo-settings-section-audit = Audit trail
bo-settings-section-audit-text = Check that no entry of the audit trail was altered or removed.
bo-save = Save
bo-settings-created = Created
bo-never = Never
error-admin_only = Only an admin may see and change the workspace's settings.
error-user_exists = A user with this e-mail address exists already.
error-last_admin = The workspace's last active admin cannot be demoted or deactivated: make someone else an admin first.
error-field-theme_exists = A theme of this name exists already.

## Secrets shown once

bo-secret-once-password = Copy this password now and give it to them safely: it is not shown again.
bo-secret-once-key = Copy this key now and keep it in your integration's secret store: it is not shown again.
bo-secret-once-hook = Copy this signing secret now: your endpoint checks each delivery's signature with it. It is not shown again.

## Users

bo-user-email = E-mail address
bo-user-name = Name
bo-user-role = Role
bo-user-role-hint = A new role takes effect at the user's next sign-in: their sessions end now.
bo-user-status = Status
bo-user-status-active = Active
bo-user-status-deactivated = Deactivated
bo-user-last-login = Last sign-in
bo-user-password = Password:
bo-user-invite = Invite a user
bo-user-invite-hint = They get a generated password, shown once here, to give them safely.
bo-user-invite-submit = Invite
bo-user-invited-title = { $email } is invited
bo-user-options = Passwords
bo-user-must-change = Users choose their own password at first sign-in
bo-user-must-change-hint = Applies to users invited, and passwords reset, from now on.
bo-user-edit = Name and role
bo-user-access = Access
bo-user-deactivate = Deactivate
bo-user-deactivate-hint = They are signed out at once and cannot sign in until reactivated.
bo-user-reactivate = Reactivate
bo-user-reset = Reset the password
bo-user-reset-hint = A new password is generated and shown once; they are signed out.
bo-user-reset-title = New password
bo-user-self = This is you: change your own password on your account page.
bo-done-user-invited = The user is invited.
bo-done-options-saved = The option is saved.
bo-done-user-updated = The user is changed.
bo-done-user-deactivated = The user is deactivated and signed out.
bo-done-user-reactivated = The user is reactivated.
bo-done-password-reset = The password is reset.

## API keys

bo-key-name = Name
bo-key-name-hint = What uses the key, e.g. "CRM sync".
bo-key-prefix = Starts with
bo-key-role = Role
bo-key-role-hint = Automation suits an integration; read-only can look but not change anything.
bo-key-status = Status
bo-key-revoked = Revoked on { $at }
bo-key-revoke = Revoke
bo-key-revoke-named = Revoke the key { $name }
bo-key-none = No API key yet.
bo-key-create = Create a key
bo-key-create-submit = Create the key
bo-key-created-title = The key { $name } is created
bo-key-secret = Key:
bo-done-key-created = The key is created.
bo-done-key-revoked = The key is revoked: it stops working at once.

## Webhooks

bo-hook-title = Webhook endpoint
bo-hook-url = URL
bo-hook-url-hint = An https address that answers 2xx to each delivery.
bo-hook-description = Description
bo-hook-events = Events
bo-hook-all-events = Every event
bo-hook-state = State
bo-hook-enabled = Enabled
bo-hook-disabled = Disabled
bo-hook-none = No webhook endpoint yet.
bo-hook-create = Add an endpoint
bo-hook-create-submit = Add the endpoint
bo-hook-created-title = The endpoint { $url } is added
bo-hook-secret = Signing secret:
bo-hook-enable = Enable
bo-hook-disable = Disable
bo-hook-test = Send a test event
bo-hook-delete = Delete the endpoint
bo-hook-deliveries = Deliveries
bo-delivery-event = Event
bo-delivery-status = Status
bo-delivery-status-pending = Pending
bo-delivery-status-delivered = Delivered
bo-delivery-status-failed = Failed
bo-delivery-attempts = Attempts
bo-delivery-last = Last answer
bo-delivery-next = next try { $at }
bo-delivery-replay = Replay
bo-delivery-replay-named = Replay { $event } of { $at }
bo-delivery-none = Nothing was sent to this endpoint yet.
bo-done-webhook-created = The endpoint is added.
bo-done-webhook-enabled = The endpoint is enabled.
bo-done-webhook-disabled = The endpoint is disabled: nothing is sent to it until it is enabled.
bo-done-webhook-deleted = The endpoint is deleted.
bo-done-webhook-tested = A test event is on its way.
bo-done-delivery-replayed = The delivery is sent again.

## Custom fields

bo-cf-label = Label
bo-cf-api-name = API name
bo-cf-api-name-hint = How the API and rules name it: a-z, 0-9 and _, starting with a letter. It cannot change later.
bo-cf-type = Type
bo-cf-type-text = Text
bo-cf-type-number = Number
bo-cf-type-boolean = Yes or no
bo-cf-type-date = Date
bo-cf-type-country = Country
bo-cf-type-choice = One choice
bo-cf-type-multi_choice = Several choices
bo-cf-type-country_multi = Several countries
bo-cf-type-industry_code = Industry code (NACE)
bo-cf-choices = Choices
bo-cf-choices-hint = For a choice field: one choice a line.
bo-cf-applies-to = Applies to
bo-cf-applies-application = Cases
bo-cf-applies-relationship = Related parties
bo-cf-required = Required
bo-cf-required-short = required
bo-cf-portal = The client fills it in the portal
bo-cf-portal-short = portal
bo-cf-flags = Options
bo-cf-description = Help for the client
bo-cf-description-hint = Shown under the field in the portal.
bo-cf-condition = Condition
bo-cf-condition-hint = A CEL expression on the case, e.g. business.country == "FR": the field is asked only when it holds.
bo-cf-none = No custom field yet.
bo-cf-create = Add a custom field
bo-cf-create-submit = Add the field
bo-cf-edit = Change the field
bo-cf-fixed = The API name and the type cannot change.
bo-done-field-created = The custom field is added.
bo-done-field-updated = The custom field is changed.

## Templates

bo-tpl-intro = Each case follows a template: what is asked, which tasks run, the risk rules and who may decide. The shipped ones can be replaced by your own version.
bo-tpl-name = Name
bo-tpl-name-hint = Lower-case letters, digits and _.
bo-tpl-version = Version
bo-tpl-applies-to = For
bo-tpl-applies-business = Businesses
bo-tpl-applies-person = People
bo-tpl-origin = Origin
bo-tpl-origin-default = Shipped with Dossier
bo-tpl-origin-workspace = Your own
bo-tpl-updated = Changed
bo-tpl-description = Description
bo-tpl-tasks = Tasks
bo-tpl-new = New template
bo-tpl-copy-of = Start from
bo-tpl-new-submit = Open the editor
bo-tpl-risk = Risk matrix
bo-tpl-levels = Levels:
bo-tpl-rule = Rule
bo-tpl-condition = When
bo-tpl-weight = Weight
bo-tpl-floor = At least
bo-tpl-edit = Edit
bo-tpl-edit-hint = The template as JSON (see docs/workflows.md). It is checked when saved; an error names the line at fault.
bo-tpl-source = Template (JSON)
bo-tpl-save = Save the template
bo-tpl-line = Line { $line }
bo-template-error-at = Line { $line }: { $message }
bo-template-unreadable = This is not valid JSON (column { $column })
bo-done-template-saved = The template is saved: cases pick it up at their next change.

## Watchlists

bo-wl-intro = The lists screening checks names against. The operator of this Dossier imports and refreshes them; every workspace uses the same ones.
bo-wl-sources = Sources
bo-wl-source = Source
bo-wl-refreshed = refreshed on a schedule
bo-wl-version = Version
bo-wl-entities = Entries
bo-wl-imported = Imported
bo-wl-age =
    { $days ->
        [0] today
        [one] one day ago
       *[other] { $days } days ago
    }
bo-wl-checked = Last checked
bo-wl-state = State
bo-wl-stale = Out of date
bo-wl-current = Current
bo-wl-failures =
    { $count ->
        [one] one failed refresh
       *[other] { $count } failed refreshes
    }
bo-wl-versions = Versions
bo-wl-changes = Changes
bo-wl-diff = +{ $added } −{ $removed } ~{ $changed }
bo-wl-digest = Digest
bo-wl-pruned = entries pruned
bo-wl-none = No watchlist is imported yet.

## Audit trail

bo-audit-intro = Every change is recorded in an append-only trail where each entry holds the hash of the one before. Verifying recomputes every hash of this workspace's trail and of every stored version of its cases.
bo-audit-verify = Verify the audit trail
bo-audit-intact = The audit trail is intact
bo-audit-intact-text =
    { $count ->
        [one] One entry verified
       *[other] { $count } entries verified
    } on { $at } (UTC).
bo-audit-broken = The audit trail is broken
bo-audit-broken-case = The trail of case { $case } is broken at entry { $seq }:
bo-audit-broken-workspace = The workspace's trail is broken at entry { $seq }:
bo-audit-broken-text = Something changed the database behind Dossier's back. Keep a copy of it and tell your operator.

## Branding

bo-brand-intro = The look of your portals. Each part is optional: Dossier's own look fills the gaps.
bo-brand-workspace = Your look
bo-brand-name = Display name
bo-brand-name-hint = Your company's name, as your clients know it.
bo-brand-color = Primary colour
bo-brand-color-hint = Written #rrggbb, e.g. #1f4fd1: buttons, links and the steps. The text on it is black or white, whichever reads better.
bo-brand-email = Support e-mail
bo-brand-logo = Logo
bo-brand-logo-hint = A PNG, JPEG, GIF or WebP image of at most 100 KB.
bo-brand-logo-current = Current logo:
bo-brand-logo-alt = The current logo
bo-brand-logo-remove = Remove the logo
bo-brand-css = Custom CSS
bo-brand-css-hint = Applied after the portal's own stylesheet, at most 20 KB.
bo-brand-preview = Preview the portal in this look
bo-brand-preview-theme = Preview the theme { $name }
bo-brand-themes = Themes
bo-brand-themes-intro = A portal can pick a theme: its parts replace yours, the others stay yours.
bo-brand-theme = Theme { $name }
bo-brand-theme-save = Save the theme { $name }
bo-brand-theme-delete = Delete the theme { $name }
bo-brand-theme-add = Add a theme
bo-brand-theme-name = Theme name
bo-brand-theme-name-hint = 1 to 64 letters, digits, _ or -; portals pick it by this name.
bo-brand-theme-add-submit = Add the theme
bo-done-branding-saved = The look is saved.
bo-done-theme-added = The theme is added.
bo-done-theme-saved = The theme is saved.
bo-done-theme-deleted = The theme is deleted.
bo-preview-title = Preview of the portal
bo-preview-banner = A preview of your portals' look, with sample content.
bo-preview-banner-theme = A preview of the theme { $name }, with sample content.
bo-preview-back = Back to the branding
bo-preview-heading = People and companies
bo-preview-text = { $company } asks you who runs and owns the company.
bo-preview-field = First and last name
bo-preview-link = A link looks like this
bo-preview-button = Save and continue
