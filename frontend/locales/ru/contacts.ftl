# Список контактов, карточка контакта, её сделки, заметки и задачи.

## Список контактов
contacts-title = Контакты
contacts-count =
    { $count ->
        [one] { $count } контакт
        [few] { $count } контакта
       *[many] { $count } контактов
    }
contacts-found =
    { $count ->
        [one] Найден { $count } контакт
        [few] Найдено { $count } контакта
       *[many] Найдено { $count } контактов
    }
contacts-empty = Контактов пока нет.
contacts-no-match = По запросу «{ $query }» контактов не найдено. Попробуйте часть имени, название компании или телефон в любом формате.
contacts-loading = Загрузка контактов…
contacts-search-label = Поиск контактов
contacts-search-placeholder = Поиск по имени, компании или телефону (в любом формате)
contacts-searching = Идёт поиск
contacts-col-name = Имя
contacts-col-company = Компания
contacts-col-phones = Телефоны
contacts-col-status = Статус
contacts-col-responsible = Ответственный

## Карточка контакта
card-title = Контакт
card-back = ← Контакты
card-loading = Загрузка контакта…
card-not-found-title = Контакт не найден
card-not-found-text = Возможно, он был удалён или ссылка неверна.
card-details = Сведения
card-phones = Телефоны
card-no-phones = Нет телефонных номеров
card-email = Эл. почта
card-responsible = Ответственный
card-about = О контакте
card-deals = Сделки
card-deals-count =
    { $count ->
        [one] { $count } сделка
        [few] { $count } сделки
       *[many] { $count } сделок
    }
card-tasks = Задачи
card-open-tasks-count =
    { $count ->
        [one] { $count } открытая задача
        [few] { $count } открытые задачи
       *[many] { $count } открытых задач
    }
card-calls = Звонки
card-calls-loading = Загрузка звонков…
card-notes = Заметки
card-notes-count =
    { $count ->
        [one] { $count } заметка
        [few] { $count } заметки
       *[many] { $count } заметок
    }

## Сделки
deals-opened = Открыта { $opened }
deals-opened-closed = Открыта { $opened } · закрыта { $closed }
deals-empty = С этим контактом пока нет сделок.

## Заметки
notes-unknown-author = Неизвестный автор
notes-empty = Заметок пока нет. Напишите первую выше.
notes-new-label = Новая заметка
notes-placeholder = Напишите заметку об этом контакте…
notes-shortcut-hint = Ctrl+Enter — сохранить
notes-saving = Сохранение…
notes-add = Добавить заметку
notes-too-long =
    { $chars ->
        [one] Заметка слишком длинная: { $chars } символ, допустимо не более { $max }.
        [few] Заметка слишком длинная: { $chars } символа, допустимо не более { $max }.
       *[many] Заметка слишком длинная: { $chars } символов, допустимо не более { $max }.
    }

## Задачи
tasks-due = срок: { $date }
tasks-empty = Задач нет.
