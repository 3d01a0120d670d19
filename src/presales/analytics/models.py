"""Pipeline analytics and the weekly team report only read: they own no tables. The figures
come from deals (with their stage and terms history), activities and forecasts."""
