"""Evaluation after each activity: one personal link per checked-in attendee (overall, relevance,
what they will do next, the topics they want next, the organiser's own questions), changeable
for 14 days; a follow-up three months later (did they start using it?); anonymous results per
event, topic, municipality and period, never for fewer than three answers."""
