"""From needs to activities: unmet demand per municipality and topic, the experts who can take a
topic, seminar tours through the localities, and invitations to the companies that asked."""
