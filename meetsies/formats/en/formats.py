# English as written in Brussels and Dublin: day before month (Django's "en" is American).
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
