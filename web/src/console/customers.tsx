/** Console: the customers, each linking to its page. */
import { useT } from "../i18n.ts";
import { ErrorBox, Link, MoreButton, ScrollBox, useList } from "../ui.tsx";

interface Customer {
  id: string;
  legalName: string;
  corporateNumber: string | null;
}

export function CustomersPage() {
  const t = useT();
  const [data, error, , more] = useList<Customer>("/customers");
  return (
    <section>
      <h1>{t("customers.title")}</h1>
      <ErrorBox error={error} />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("customers.legalName")}</th>
              <th scope="col">{t("customers.corporateNumber")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/console/customers/${c.id}`}>{c.legalName}</Link>
                </td>
                <td>{c.corporateNumber}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
