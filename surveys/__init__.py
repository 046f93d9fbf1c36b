"""The skills-needs survey (kartläggning): rounds per municipality and period, companies'
answers through a personal or an open link, and the needs they name, for the needs map and the
planning of activities."""
