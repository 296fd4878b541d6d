//! The verification engine: templates, tasks, risk matrix, decision policy, effective ownership.
//! (Being built; see issue "Documents, workflows, tasks, risk matrix and decisions".)
