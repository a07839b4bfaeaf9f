"""One theme per city: templates that replace core's file by file, and static assets."""
