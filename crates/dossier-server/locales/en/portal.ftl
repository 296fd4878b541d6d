# The client portal's pages. Every language has the same ids.

## The link and the way in

portal-company-default = The company
portal-welcome-title = Welcome
portal-welcome-text = { $company } asks you for some information and documents to open your account.
portal-welcome-save = Your answers are saved at every step: you can stop and come back with the same link, on any device.
portal-welcome-collect = { $company } needs a few more items from you.
portal-welcome-submitted = You have already sent your information to { $company }. Thank you.
portal-welcome-privacy = Your information is sent only to this company, over an encrypted connection.
portal-continue = Continue

code-title = Check your e-mail
code-text = We have sent a 6-digit code to { $email }.
code-label = Code
code-hint = It is valid for a few minutes. You can paste it.
code-submit = Confirm
code-resend = Send a new code
code-mail-subject = Your code: { $code }
code-mail-text =
    Your code is { $code }.

    It is valid for { $minutes } minutes. If you did not ask for it, you can ignore this message.

## Steps

step-details = Details
step-relationships = People and companies
step-documents = Documents
step-review = Review

choose = Choose…
save = Save
save-continue = Save and continue
continue = Continue
cancel = Cancel
edit = Edit
remove = Remove
answer-yes = Yes
answer-no = No

details-title-business = About the company
details-title-person = About you
details-intro = Fields marked optional can be left empty.

field-name = Company name
field-registration_number = Registration number
field-legal_form = Legal form
field-incorporation_date = Date of incorporation
field-country = Country of registration
field-industry_code = Activity code (NACE)
field-industry_code-hint = For example 62.01 for computer programming.
field-website = Website
field-email = E-mail address
field-phone = Phone number
field-first_name = First name
field-last_name = Last name
field-birth_date = Date of birth
field-nationality = Nationality
field-country_of_residence = Country of residence
field-address = Address
field-address-line1 = Street and number
field-address-line2 = Second line
field-address-postal_code = Postal code
field-address-city = City
field-address-region = Region or state
field-address-country = Country

parties-title = People and companies
parties-intro = Tell us who runs and who owns the company: directors, shareholders and beneficial owners (25% or more, directly or through other companies). Mark yourself as the signatory.
parties-none = Nobody is listed yet.
parties-under = in { $owner }
parties-owns = owns { $percent }%
parties-add-person = Add a person
parties-add-company = Add a company
parties-add-owner = Add an owner

party-title-person = A person
party-title-business = A company
party-edit-title = Change the details
party-roles = Roles
party-ownership = Share held (%)
party-ownership-hint = The part of the capital held directly, from 0 to 100.

role-ubo = Beneficial owner
role-ubo-hint = Owns or controls 25% or more, directly or through other companies.
role-director = Director
role-director-hint = Manages the company.
role-shareholder = Shareholder
role-shareholder-hint = Holds shares in the company.
role-signatory = Signatory (you)
role-signatory-hint = The person filling in this form.
role-legal_representative = Legal representative
role-legal_representative-hint = May act for the company.

documents-title = Documents
documents-intro = Send a PDF or a photo for each document, at most { $max } MB each.
documents-for = For { $whose }
documents-reason = Why we ask: { $reason }
documents-status-received = Received
documents-status-valid = Accepted
documents-status-invalid = Not accepted, please send it again
documents-choose = Choose a file
documents-photo = Or take a photo
documents-upload = Send
documents-no-file = Choose a file or take a photo first.
documents-none = No document is asked for.
documents-none-given = No document sent yet.

doctype-identity_document = Identity card
doctype-passport = Passport
doctype-residence_permit = Residence permit
doctype-driving_licence = Driving licence
doctype-proof_of_address = Proof of address (less than 3 months old)
doctype-selfie = Selfie with your identity document
doctype-certificate_of_incorporation = Certificate of incorporation or register extract (less than 3 months old)
doctype-articles_of_association = Articles of association
doctype-ubo_register_extract = Beneficial ownership register extract
doctype-shareholder_register = Shareholder register
doctype-power_of_attorney = Power of attorney for the signatory
doctype-bank_statement = Bank statement or account certificate
doctype-financial_statements = Latest annual financial statements
doctype-business_licence = Licence for a regulated activity
doctype-source_of_funds = Evidence of source of funds
doctype-other = Other document

review-title = Check and send
review-confirm = By sending, you confirm that the information is correct and complete.
review-submit = Send

done-title = Thank you
done-text = Your information has been sent. You can close this page.

## Pages that end a visit

portal-link-invalid-title = This link is not valid
portal-link-invalid-text = It may have expired or been replaced by a newer one. Ask the company that sent it for a new link.
portal-session-ended-title = Your session has ended
portal-session-ended-text = Nothing you entered is lost. Open your link again to continue.
portal-too-many-title = Too many attempts
portal-too-many-text = Please wait a minute and try again.
portal-not-allowed-title = Not available
portal-not-allowed-text = This form does not allow that.
portal-already-sent-title = Already sent
portal-already-sent-text = This form has been sent and can no longer be changed.
portal-server-error-title = Sorry, there is a problem
portal-server-error-text = This page could not be shown. Please try again in a few minutes.
portal-bad-form-title = The form could not be read
portal-bad-form-text = Please go back and try again.
portal-forged-title = This form did not come from us
portal-forged-text = For your safety it was not accepted. Open your link again to continue.
portal-not-asked-title = Not asked
portal-not-asked-text = This form does not ask for this step.

## Errors of the portal's own codes

error-session_expired = Your session has ended. Open your link again to continue.
error-link_expired = This link is no longer valid.
error-code_required = Enter the code sent to your e-mail address first.
error-code_expired = The code has expired. Ask for a new one.
error-code_attempts = Too many wrong codes. Ask for a new one.
error-step_not_asked = This form does not ask for this.
error-document_not_asked = This document is not asked for.
error-details_first = Fill in the details first.
error-portal_submitted = This form has been sent and can no longer be changed.
error-portal_not_open = This form is closed.
error-field-wrong_code = This code is not right.
error-field-date = Enter a date.
error-field-email = Enter an e-mail address such as name@example.com.
error-field-phone = Enter a phone number: digits, spaces and + - ( ) .
error-field-country = Choose a country from the list.
error-field-choice = Choose one of the options.
error-field-number = Enter a number.
error-field-boolean = Answer yes or no.
error-field-industry_code = Enter a NACE code such as 62.01.
error-field-unknown_field = This field is not asked for.
error-field-unsupported = This is not available.
