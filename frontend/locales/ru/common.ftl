# Слова, общие для всех страниц: верхняя панель, загрузка и ошибки, счётчики.

app-loading = Загрузка Callcard…
nav-main = Главное меню
nav-contacts = Контакты
nav-calls = Звонки
nav-admin = Администрирование
log-out = Выйти
logging-out = Выход…
language = Язык
calls-count =
    { $count ->
        [one] { $count } звонок
        [few] { $count } звонка
       *[many] { $count } звонков
    }
