# The contacts list, a contact's card, and its deals, notes and tasks.

## The contacts list
contacts-title = Contacts
contacts-count =
    { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    }
contacts-found =
    { $count ->
        [one] { $count } contact found
       *[other] { $count } contacts found
    }
contacts-empty = No contacts yet.
contacts-no-match = No contacts match “{ $query }”. Try part of a name, a company or any phone format.
contacts-loading = Loading contacts…
contacts-search-label = Search contacts
contacts-search-placeholder = Search by name, company or phone (any format)
contacts-searching = Searching
contacts-col-name = Name
contacts-col-company = Company
contacts-col-phones = Phones
contacts-col-status = Status
contacts-col-responsible = Responsible

## A contact's card
card-title = Contact
card-back = ← Contacts
card-loading = Loading contact…
card-not-found-title = Contact not found
card-not-found-text = It may have been deleted, or the link is wrong.
card-details = Details
card-phones = Phones
card-no-phones = No phone numbers
card-email = Email
card-responsible = Responsible
card-about = About
card-deals = Deals
card-deals-count =
    { $count ->
        [one] { $count } deal
       *[other] { $count } deals
    }
card-tasks = Tasks
card-open-tasks-count =
    { $count ->
        [one] { $count } open task
       *[other] { $count } open tasks
    }
card-calls = Calls
card-calls-loading = Loading calls…
card-notes = Notes
card-notes-count =
    { $count ->
        [one] { $count } note
       *[other] { $count } notes
    }

## Deals
deals-opened = Opened { $opened }
deals-opened-closed = Opened { $opened } · closed { $closed }
deals-empty = No deals with this contact yet.

## Notes
notes-unknown-author = Unknown
notes-empty = No notes yet. Write the first one above.
notes-new-label = New note
notes-placeholder = Write a note about this contact…
notes-shortcut-hint = Ctrl+Enter to save
notes-saving = Saving…
notes-add = Add note
# Only shown above the limit, so $chars is always more than one.
notes-too-long =
    { $chars ->
        [one] The note is too long: { $chars } character, at most { $max } allowed.
       *[other] The note is too long: { $chars } characters, at most { $max } allowed.
    }

## Tasks
tasks-due = due { $date }
tasks-empty = No tasks.
