"""The 会議・研修 tab: calendar, list and the meeting form."""
