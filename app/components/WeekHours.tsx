export interface DayHours {
  day: string;
  hours: string[];
}

/** The next seven days' opening hours as a small table (day, hours or "Closed"). */
export function WeekHours({ week, label }: { week: DayHours[]; label: string }) {
  return (
    <table className="hours">
      <caption className="sr-only">{label}</caption>
      <tbody>
        {week.map((d) => (
          <tr key={d.day}>
            <th scope="row">{d.day}</th>
            <td>{d.hours.length === 0 ? <span className="muted">Closed</span> : d.hours.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
