/** A task contact's record: its name, description, fields and references (GET /api/v1/tasks/:contactId). */
import { TaskDetails, useTaskDetails } from "../agent/TaskDetails";

export function ContactTask({ contactId }: { contactId: string }) {
  const task = useTaskDetails(contactId);
  return (
    <section className="card" aria-labelledby="contact-task">
      <h2 id="contact-task">Task{task?.name ? `: ${task.name}` : ""}</h2>
      <TaskDetails task={task} />
    </section>
  );
}
