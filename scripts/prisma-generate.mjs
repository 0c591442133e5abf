// Placeholder until the persistence layer lands: generates nothing.
