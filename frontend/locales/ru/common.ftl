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

## Вкладка браузера, несуществующая страница и форма входа
common-page-title = { $page } — Callcard
common-not-found-title = Страница не найдена
common-not-found-text = По этому адресу ничего нет.
common-not-found-link = Перейти к контактам
login-title = Вход
login-login-label = Логин
login-password-label = Пароль
login-submit = Войти
login-signing-in = Вход…
login-wrong-credentials = Неверный логин или пароль.
login-session-ended = Ваш сеанс завершён. Войдите снова.
login-signed-out = Вы вышли из системы.

## Ошибки запросов к серверу
error-sign-in = Войдите в систему.
error-server = Сервер не смог обработать запрос (HTTP { $status }). Повторите попытку чуть позже.
error-network = Нет связи с сервером. Проверьте подключение и повторите попытку.
error-decode = Сервер прислал ответ, который эта страница не может прочитать.
error-not-found = Не найдено.

## Страницы списка и уведомления
# «41–50 из 53»: строки с $first по $last из $total.
pager-range = { $first }–{ $last } из { $total }
pager-range-empty = 0 из { $total }
pager-label = Страницы
pager-prev = ‹ Назад
pager-next = Далее ›
status-try-again = Повторить

# Destination classes (the number rules), lower case.
class-internal = внутренние номера
class-local = местные номера
class-national = междугородные номера
class-mobile = мобильные номера
class-international = международные номера
class-premium = номера с повышенной оплатой
class-special = специальные и экстренные номера
