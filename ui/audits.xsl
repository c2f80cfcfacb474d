<?xml version="1.0" encoding="UTF-8"?>
<!--
  audits.xsl: the "Audit" screen: the form that starts an audit (every
  copy or a sample), the running audit's progress, the state of the
  journal (its hash chain as the last audit checked it, its last seal),
  and the reports kept, newest first.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="audit.xsl"/>
  <xsl:template match="audits" mode="title">Audit</xsl:template>

  <xsl:template match="audits" mode="main">
    <xsl:choose>
      <xsl:when test="running">
        <section aria-labelledby="h-running">
          <h2 id="h-running">Audit en cours</h2>
          <xsl:apply-templates select="running"/>
        </section>
      </xsl:when>
      <xsl:otherwise>
        <form method="post" action="/ui/audits" id="start">
          <xsl:call-template name="csrf"/>
          <fieldset>
            <legend>Lancer un audit</legend>
            <p>L'audit relit chaque copie et la compare à son empreinte, vérifie que chaque objet a ses copies,
              confronte le catalogue au journal et revérifie le chaînage du journal. Il s'exécute en arrière-plan ; un seul à la fois.</p>
            <p class="choice"><input type="radio" name="scope" value="full" id="scope-full" checked="checked"/>
              <label for="scope-full" class="inline">Audit complet (toutes les copies)</label></p>
            <p class="choice"><input type="radio" name="scope" value="sample" id="scope-sample"/>
              <label for="scope-sample" class="inline">Audit par échantillon</label></p>
            <p><label for="sample">Pourcentage des copies relues pour un échantillon (1 à 100)</label>
              <input type="number" id="sample" name="sample" min="1" max="100" value="{@sample}"/></p>
            <p><button type="submit">Lancer l'audit</button></p>
          </fieldset>
        </form>
      </xsl:otherwise>
    </xsl:choose>

    <section aria-labelledby="h-journal">
      <h2 id="h-journal">Journal</h2>
      <xsl:call-template name="journal-status"/>
    </section>

    <section aria-labelledby="h-reports">
      <h2 id="h-reports">Rapports d'audit</h2>
      <xsl:choose>
        <xsl:when test="reports/audit">
          <table id="reports">
            <caption>Audits passés, du plus récent au plus ancien
              <xsl:if test="reports/@total &gt; count(reports/audit)"> (les <xsl:value-of select="count(reports/audit)"/> derniers sur <xsl:value-of select="reports/@total"/>)</xsl:if></caption>
            <thead>
              <tr>
                <th scope="col">Audit</th>
                <th scope="col">Lancé le</th>
                <th scope="col">Par</th>
                <th scope="col">Portée</th>
                <th scope="col">Résultat</th>
                <th scope="col">Copies relues</th>
                <th scope="col">Octets relus</th>
                <th scope="col">Problèmes</th>
                <th scope="col">Journal</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="reports/audit">
                <tr data-audit="{id}">
                  <th scope="row"><a href="/ui/audits/{id}"><xsl:value-of select="id"/></a></th>
                  <td><xsl:value-of select="started"/></td>
                  <td><xsl:value-of select="agent"/></td>
                  <td><xsl:call-template name="scope"><xsl:with-param name="p" select="sample_percent"/></xsl:call-template></td>
                  <td class="result"><xsl:call-template name="result"/></td>
                  <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="checked"/></xsl:call-template>
                    <xsl:if test="copies"> / <xsl:call-template name="num"><xsl:with-param name="n" select="copies"/></xsl:call-template></xsl:if></td>
                  <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="bytes_checked"/></xsl:call-template></td>
                  <td class="n problems"><xsl:value-of select="problems"/></td>
                  <td><xsl:choose>
                    <xsl:when test="chain/@ok = 'true'">chaînage intègre</xsl:when>
                    <xsl:when test="chain">chaînage rompu</xsl:when>
                    <xsl:otherwise>non vérifié</xsl:otherwise>
                  </xsl:choose></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p id="reports">Aucun audit n'a encore été fait.</p></xsl:otherwise>
      </xsl:choose>
      <xsl:if test="@every &gt; 0">
        <p>Un audit par échantillon (<xsl:value-of select="@sample"/> %) est aussi lancé automatiquement tous les <xsl:value-of select="@every"/> jours.</p>
      </xsl:if>
    </section>
  </xsl:template>

  <xsl:template name="journal-status">
    <xsl:variable name="c" select="last-check/chain"/>
    <xsl:choose>
      <xsl:when test="not($c)">
        <p id="journal-status" data-ok="unknown">Le chaînage du journal n'a encore été vérifié par aucun audit.</p>
      </xsl:when>
      <xsl:when test="$c/@ok = 'true'">
        <p id="journal-status" data-ok="true" class="ok">Chaînage du journal <strong>intègre</strong> : les
          <xsl:call-template name="num"><xsl:with-param name="n" select="$c/@entries"/></xsl:call-template> premières entrées
          vérifiées par l'audit <a href="/ui/audits/{last-check/id}"><xsl:value-of select="last-check/id"/></a>
          du <xsl:value-of select="last-check/finished"/>.</p>
      </xsl:when>
      <xsl:otherwise>
        <p id="journal-status" data-ok="false" class="ko" role="alert">Chaînage du journal <strong>rompu</strong> à l'entrée
          <xsl:value-of select="$c/@bad-seq"/> : <xsl:value-of select="$c"/>
          (audit <a href="/ui/audits/{last-check/id}"><xsl:value-of select="last-check/id"/></a> du <xsl:value-of select="last-check/finished"/>).</p>
      </xsl:otherwise>
    </xsl:choose>
    <p>Le journal compte aujourd'hui <xsl:call-template name="num"><xsl:with-param name="n" select="journal/@entries"/></xsl:call-template> entrées<xsl:if test="$c and journal/@entries &gt; $c/@entries">,
      dont <xsl:value-of select="journal/@entries - $c/@entries"/> postérieure(s) à cette vérification</xsl:if>.
      <xsl:choose>
        <xsl:when test="journal/seal">Dernier scellement n° <xsl:value-of select="journal/seal/@seq"/> le <xsl:value-of select="journal/seal/@created"/>, jusqu'à l'entrée <xsl:value-of select="journal/seal/@last"/>.</xsl:when>
        <xsl:otherwise>Le journal n'a pas encore été scellé.</xsl:otherwise>
      </xsl:choose></p>
    <p class="hint">La vérification complète du chaînage prend plusieurs secondes sur un grand journal : elle est faite par chaque audit,
      et cette page montre le résultat du dernier.</p>
  </xsl:template>
</xsl:stylesheet>
