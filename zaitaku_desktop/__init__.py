"""zaitaku-desktop: an offline desktop tool for 在宅医療・介護連携 coordinators."""

__version__ = "0.1.0"
APP_NAME = "zaitaku-desktop"
APP_TITLE = "在宅医療・介護連携 コーディネーター"
